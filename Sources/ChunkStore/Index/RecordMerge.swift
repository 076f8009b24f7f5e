/// Merges sorted record streams into a segment writer, keeping one record per id: the one that sorts first
/// (`IndexRecord.precedes`: lowest pack number, i.e. the earliest-registered pack).
///
/// A binary heap over the streams' current records, so merging many spilled runs costs O(log runs) per record.
enum RecordMerge {
    static func merge<Sink>(
        _ streams: [any RecordStream], into writer: inout SegmentWriter<Sink>
    ) throws {
        var heap: [(record: IndexRecord, stream: Int)] = []
        for (position, stream) in streams.enumerated() {
            if let record = try stream.next() { heap.append((record, position)) }
        }
        func less(_ a: Int, _ b: Int) -> Bool {
            IndexRecord.precedes(heap[a].record, heap[b].record)
                || (heap[a].record == heap[b].record && heap[a].stream < heap[b].stream)
        }
        func siftDown(_ start: Int) {
            var parent = start
            while true {
                let left = 2 * parent + 1
                guard left < heap.count else { return }
                var smallest = left
                if left + 1 < heap.count && less(left + 1, left) { smallest = left + 1 }
                guard less(smallest, parent) else { return }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
        }
        for position in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(position) }
        var previous: IndexRecord?
        while let top = heap.first {
            if previous.map({ !$0.hasSameID(as: top.record) }) ?? true {
                try writer.append(top.record)
                previous = top.record
            }
            if let next = try streams[top.stream].next() {
                heap[0] = (next, top.stream)
            } else {
                heap[0] = heap[heap.count - 1]
                heap.removeLast()
            }
            siftDown(0)
        }
    }
}
