#!/usr/bin/env python3
"""Generates the bench corpus (office-like zip containers, PDFs, text/CSV, images, random binary) and applies rounds
of realistic edits to it, deterministically from a seed, so every tool sees the same bytes.

    corpus.py make  <dir> <megabytes> [seed]
    corpus.py edit  <dir> <round> [seed]
"""
import io, os, random, sys, zipfile, zlib

WORDS = ("budget forecast quarter revenue meeting notes customer project plan design review draft final summary "
         "contract invoice schedule report analysis team market growth risk action item owner status update").split()


def text(rng, size):
    out, total = [], 0
    while total < size:
        line = " ".join(rng.choices(WORDS, k=12)) + f" {rng.randrange(10**6)}\n"
        out.append(line)
        total += len(line)
    return "".join(out)[:size].encode()


def csv(rng, rows):
    lines = ["id,date,customer,amount,status\n"]
    for i in range(rows):
        lines.append(f"{i},2026-{rng.randrange(1,13):02d}-{rng.randrange(1,29):02d},{rng.choice(WORDS)} {rng.choice(WORDS)},"
                     f"{rng.randrange(100, 10**6) / 100:.2f},{rng.choice(['open', 'paid', 'late'])}\n")
    return "".join(lines).encode()


def office(rng, size, variant=0):
    """A zip of XML parts (compressible) and embedded media (incompressible), like .docx/.xlsx/.pptx."""
    buffer = io.BytesIO()
    media = int(size * 0.6)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types>" + "<Default/>" * 20 + "</Types>")
        body = text(rng, max(2000, size - media) * 4).decode()
        if variant:
            cut = len(body) // 2
            body = body[:cut] + f" edited in round {variant} " + body[cut:]
        z.writestr("word/document.xml", "<w:document><w:body>" + body + "</w:body></w:document>")
        if media > 0:
            z.writestr(zipfile.ZipInfo("word/media/image1.jpeg"), rng.randbytes(media), compress_type=zipfile.ZIP_STORED)
    return buffer.getvalue()


def pdf(rng, size):
    parts, total, n = [b"%PDF-1.7\n"], 0, 1
    while total < size:
        if rng.random() < 0.5:
            stream = zlib.compress(text(rng, 64 << 10))
        else:
            stream = rng.randbytes(rng.randrange(32 << 10, 512 << 10))
        parts.append(f"{n} 0 obj <</Length {len(stream)}>> stream\n".encode() + stream + b"\nendstream endobj\n")
        total += len(parts[-1])
        n += 1
    parts.append(b"trailer <<>>\n%%EOF\n")
    return b"".join(parts)


def image(rng, size):
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + rng.randbytes(size)


KINDS = [  # (share of bytes, extension, min, max, maker)
    (0.30, "docx", 20 << 10, 6 << 20, office),
    (0.20, "pdf", 50 << 10, 12 << 20, pdf),
    (0.12, "txt", 10 << 10, 8 << 20, text),
    (0.08, "csv", None, None, None),
    (0.20, "jpg", 100 << 10, 8 << 20, image),
    (0.10, "bin", 1 << 20, 48 << 20, lambda rng, size: rng.randbytes(size)),
]


def make(root, megabytes, seed):
    rng = random.Random(seed)
    target = megabytes << 20
    folders = [f"{rng.choice(WORDS).title()} {i}" for i in range(40)]
    for share, ext, low, high, maker in KINDS:
        budget, i = int(target * share), 0
        while budget > 0:
            folder = os.path.join(root, rng.choice(folders), rng.choice(["", "Archive", "2025", "Drafts"]))
            os.makedirs(folder, exist_ok=True)
            if ext == "csv":
                data = csv(rng, rng.randrange(1000, 60000))
            else:
                data = maker(rng, min(budget, rng.randrange(low, high)))
            with open(os.path.join(folder, f"{rng.choice(WORDS)}-{i}.{ext}"), "wb") as f:
                f.write(data)
            budget -= len(data)
            i += 1


def edit(root, round_number, seed):
    rng = random.Random(seed * 1000 + round_number)
    files = sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs)
    for path in files:
        roll = rng.random()
        if path.endswith(".docx") and roll < 0.04:
            size = os.path.getsize(path)
            with open(path, "wb") as f:
                f.write(office(random.Random(zlib.crc32(path.encode())), size, variant=round_number))
        elif path.endswith(".csv") and roll < 0.08:
            with open(path, "ab") as f:
                f.write(csv(rng, rng.randrange(50, 500)).split(b"\n", 1)[1])
        elif path.endswith(".bin") and roll < 0.05:
            with open(path, "r+b") as f:
                data = f.read()
                at = rng.randrange(len(data))
                f.seek(0)
                f.write(data[:at] + rng.randbytes(4096) + data[at:])
        elif roll > 0.99:
            os.remove(path)
        elif roll > 0.98:
            os.rename(path, path + ".moved")
    new = os.path.join(root, f"New in round {round_number}")
    os.makedirs(new, exist_ok=True)
    for i in range(20):
        with open(os.path.join(new, f"scan-{i}.pdf"), "wb") as f:
            f.write(pdf(rng, rng.randrange(100 << 10, 2 << 20)))


if __name__ == "__main__":
    command, directory = sys.argv[1], sys.argv[2]
    if command == "make":
        make(directory, int(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else 7)
    elif command == "edit":
        edit(directory, int(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else 7)
    else:
        sys.exit(__doc__)
