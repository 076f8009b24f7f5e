#!/usr/bin/env python3
"""Generates Office documents and their version histories for measuring chunking parameters, deterministically.

    corpus.py <dir> <versions> [scale=1.0] [seed=7]

Writes <dir>/v0 ... <dir>/v<versions-1>; v<k> holds version k of every document (the same relative paths), as a
backup of a library with version history sees them: each version a whole file. Documents are built like Office
saves them, a zip whose parts are deflated separately, in Word/Excel/PowerPoint's part order:
- .docx: document.xml (deflated text), embedded images (stored), styles, docProps/core.xml (save time, changes every
  version). Edits: a few paragraphs inserted or rewritten, now and then an image added.
- .xlsx: one large deflated worksheet and shared strings. Edits: some cells in the middle change, rows appended.
- .pptx: many small slide parts and many images. Edits: one slide's text, now and then one image replaced or a slide added.
- .pdf: incremental updates appended after the previous version's bytes, as Acrobat's "save" does.
Scale 1.0 is about 330 MiB per version.
"""
import io, os, random, sys, zipfile

WORDS = ("budget forecast quarter revenue meeting notes customer project plan design review draft final summary "
         "contract invoice schedule report analysis team market growth risk action item owner status update").split()


def sentence(rng):
    return " ".join(rng.choices(WORDS, k=rng.randrange(8, 20))).capitalize() + "."


def zip_bytes(parts):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, data, deflate in parts:
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
            z.writestr(info, data)
    return buffer.getvalue()


def core(version):
    return f'<cp:coreProperties><dcterms:modified>2026-03-{version + 1:02d}T10:{version:02d}:00Z</dcterms:modified>' \
           f'<cp:revision>{version + 1}</cp:revision></cp:coreProperties>'


class Docx:
    def __init__(self, rng, size):
        self.rng = rng
        self.paragraphs = [sentence(rng) for _ in range(max(200, size // 900))]
        self.images = [rng.randbytes(rng.randrange(100 << 10, 1 << 20)) for _ in range(rng.randrange(0, 5))]

    def edit(self):
        rng = self.rng
        for _ in range(rng.randrange(1, 4)):
            at = rng.randrange(len(self.paragraphs))
            if rng.random() < 0.5:
                self.paragraphs.insert(at, sentence(rng))
            else:
                self.paragraphs[at] = sentence(rng)
        if rng.random() < 0.2:
            self.images.append(rng.randbytes(rng.randrange(100 << 10, 1 << 20)))

    def save(self, version):
        body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in self.paragraphs)
        parts = [("[Content_Types].xml", "<Types>" + "<Default/>" * 20 + "</Types>", True),
                 ("_rels/.rels", "<Relationships/>", True),
                 ("word/document.xml", f"<w:document><w:body>{body}</w:body></w:document>", True)]
        parts += [(f"word/media/image{i + 1}.jpeg", image, False) for i, image in enumerate(self.images)]
        parts += [("word/styles.xml", "<w:styles>" + "<w:style/>" * 400 + "</w:styles>", True),
                  ("docProps/core.xml", core(version), True)]
        return zip_bytes(parts)


class Xlsx:
    def __init__(self, rng, size):
        self.rng = rng
        self.rows = [[rng.randrange(10 ** 6) for _ in range(12)] for _ in range(max(1000, size // 40))]

    def edit(self):
        rng = self.rng
        for _ in range(rng.randrange(5, 50)):
            row = rng.randrange(len(self.rows))
            self.rows[row][rng.randrange(12)] = rng.randrange(10 ** 6)
        for _ in range(rng.randrange(0, 200)):
            self.rows.append([rng.randrange(10 ** 6) for _ in range(12)])

    def save(self, version):
        sheet = "".join(
            f'<row r="{r + 1}">' + "".join(f'<c r="{chr(65 + c)}{r + 1}"><v>{v}</v></c>' for c, v in enumerate(row)) + "</row>"
            for r, row in enumerate(self.rows))
        return zip_bytes([("[Content_Types].xml", "<Types/>", True),
                          ("xl/workbook.xml", "<workbook/>", True),
                          ("xl/worksheets/sheet1.xml", f"<worksheet><sheetData>{sheet}</sheetData></worksheet>", True),
                          ("xl/sharedStrings.xml", "<sst>" + "".join(f"<si><t>{w}</t></si>" for w in WORDS) + "</sst>", True),
                          ("docProps/core.xml", core(version), True)])


class Pptx:
    def __init__(self, rng, size):
        self.rng = rng
        self.slides = [[sentence(rng) for _ in range(6)] for _ in range(rng.randrange(10, 40))]
        self.images = []
        while sum(len(i) for i in self.images) < size:
            self.images.append(rng.randbytes(rng.randrange(200 << 10, 4 << 20)))

    def edit(self):
        rng = self.rng
        slide = rng.choice(self.slides)
        slide[rng.randrange(len(slide))] = sentence(rng)
        roll = rng.random()
        if roll < 0.25:
            self.images[rng.randrange(len(self.images))] = rng.randbytes(rng.randrange(200 << 10, 4 << 20))
        elif roll < 0.4:
            self.slides.insert(rng.randrange(len(self.slides)), [sentence(rng) for _ in range(6)])

    def save(self, version):
        parts = [("[Content_Types].xml", "<Types/>", True), ("ppt/presentation.xml", "<p:presentation/>", True)]
        parts += [(f"ppt/slides/slide{i + 1}.xml", "<p:sld>" + "".join(f"<a:t>{t}</a:t>" for t in s) + "</p:sld>", True)
                  for i, s in enumerate(self.slides)]
        parts += [(f"ppt/media/image{i + 1}.png", image, False) for i, image in enumerate(self.images)]
        parts += [("docProps/core.xml", core(version), True)]
        return zip_bytes(parts)


class Pdf:
    def __init__(self, rng, size):
        self.rng = rng
        self.data = b"%PDF-1.7\n" + rng.randbytes(size) + b"\ntrailer <<>>\n%%EOF\n"

    def edit(self):
        update = self.rng.randbytes(self.rng.randrange(2 << 10, 200 << 10))
        self.data += b"1 0 obj <<>> stream\n" + update + b"\nendstream endobj\ntrailer <<>>\n%%EOF\n"

    def save(self, version):
        return self.data


KINDS = [(Docx, "docx", 12, 200 << 10, 8 << 20), (Xlsx, "xlsx", 6, 1 << 20, 10 << 20),
         (Pptx, "pptx", 8, 8 << 20, 40 << 20), (Pdf, "pdf", 4, 2 << 20, 20 << 20)]


def main(root, versions, scale, seed):
    rng = random.Random(seed)
    documents = []
    for kind, ext, count, low, high in KINDS:
        for i in range(max(1, round(count * scale))):
            documents.append((f"{rng.choice(WORDS)}-{i}.{ext}", kind(random.Random(rng.random()), rng.randrange(low, high))))
    for version in range(versions):
        folder = os.path.join(root, f"v{version}")
        os.makedirs(folder, exist_ok=True)
        for name, document in documents:
            if version > 0:
                document.edit()
            with open(os.path.join(folder, name), "wb") as f:
                f.write(document.save(version))


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]) if len(sys.argv) > 3 else 1.0,
         int(sys.argv[4]) if len(sys.argv) > 4 else 7)
