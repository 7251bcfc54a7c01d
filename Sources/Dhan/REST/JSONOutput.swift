import Foundation

/// A growable byte buffer that JSON bodies are written into, then handed over as `Data` without a copy.
///
/// dhan-sim writes a 240-strike chain (about 150 kB, some 8,000 fragments) hundreds of times a simulated day.
/// Appending each fragment to an `[UInt8]` paid a uniqueness check, a capacity check and a `memmove` call per
/// fragment; here a fragment is a capacity check and a byte loop.
struct JSONOutput: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// Bytes written so far.
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// Makes room for `extra` more bytes, doubling the buffer when it is short.
    @inline(__always)
    mutating func reserve(_ extra: Int) {
        if count + extra > capacity { grow(toHold: count + extra) }
    }

    private mutating func grow(toHold needed: Int) {
        let bigger = max(needed, capacity * 2)
        let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: bigger)
        moved.initialize(from: base, count: count)
        base.deallocate()
        base = moved
        capacity = bigger
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    /// Appends a literal's bytes (keys and punctuation; a few to twenty bytes, where a loop beats `memmove`).
    @inline(__always)
    mutating func append(_ text: StaticString) {
        let length = text.utf8CodeUnitCount
        reserve(length)
        let source = text.utf8Start
        for offset in 0..<length { base[count + offset] = source[offset] }
        count += length
    }

    /// Appends bytes the caller already has (a cached row, a `description`).
    mutating func append(contentsOf bytes: some Sequence<UInt8>) {
        for byte in bytes { append(byte) }
    }

    /// Adds `length` bytes at the end, which `write` fills in through the address of the first of them.
    @inline(__always)
    mutating func appendInPlace(length: Int, _ write: (UnsafeMutablePointer<UInt8>) -> Void) {
        reserve(length)
        write(base + count)
        count += length
    }

    /// The bytes written, as `Data` that takes the buffer over (no copy); the output starts again empty.
    ///
    /// Mutating rather than consuming: the writers append through local functions, and a debug build treats
    /// a value those capture as one it cannot consume.
    mutating func takeData() -> Data {
        let (written, count) = (base, self.count)
        capacity = 64
        base = .allocate(capacity: capacity)
        self.count = 0
        return Data(bytesNoCopy: written, count: count, deallocator: .custom { pointer, _ in pointer.deallocate() })
    }

    /// A copy of the bytes written, as an array (dhan-sim keeps an order's row).
    func bytes() -> [UInt8] {
        Array(UnsafeBufferPointer(start: base, count: count))
    }
}
