// The only file of Wire that talks to zlib: raw-deflate streams for permessage-deflate (RFC 7692).
import CZlib

/// Input handed to zlib per call (its counters are 32-bit).
let zlibSliceBytes = 1 << 30

/// A raw deflate stream (no zlib header) that can be flushed message by message.
///
/// A reference type because zlib keeps pointers into its stream; owned by one connection and used
/// from one thread at a time.
final class DeflateStream {
    private let stream: UnsafeMutablePointer<z_stream>
    private var scratch = [UInt8](repeating: 0, count: 16 * 1024)

    /// `windowBits` 9...15 (zlib cannot produce raw streams with an 8-bit window).
    init?(level: Int32, windowBits: Int32, memLevel: Int32) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let rc = CZlib_deflateInit2(stream, level, Z_DEFLATED, -windowBits, memLevel, Z_DEFAULT_STRATEGY)
        if rc != Z_OK {
            stream.deinitialize(count: 1)
            stream.deallocate()
            return nil
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Compresses `input` and ends with a sync flush, returning the output including the trailing
    /// `00 00 ff ff` marker.
    func compress(_ input: [UInt8]) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(input.count / 2 + 64)
        // zlib counts input in 32 bits: hand it over in slices (each ends with a sync flush, still valid).
        for start in stride(from: 0, to: Swift.max(input.count, 1), by: zlibSliceBytes) {
            let slice = input[start..<Swift.min(input.count, start + zlibSliceBytes)]
            guard compress(slice, into: &out) else { return nil }
        }
        return out
    }

    private func compress(_ input: ArraySlice<UInt8>, into out: inout [UInt8]) -> Bool {
        let ok = input.withUnsafeBufferPointer { inp -> Bool in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: inp.baseAddress)
            // trap-safe: input comes in slices of at most zlibSliceBytes (1 GiB)
            stream.pointee.avail_in = UInt32(inp.count)
            return scratch.withUnsafeMutableBufferPointer { buf -> Bool in
                while true {
                    stream.pointee.next_out = buf.baseAddress
                    // trap-safe: the 16 KiB scratch buffer
                    stream.pointee.avail_out = UInt32(buf.count)
                    let rc = deflate(stream, Z_SYNC_FLUSH)
                    if rc != Z_OK && rc != Z_BUF_ERROR { return false }
                    let produced = buf.count - Int(stream.pointee.avail_out)
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[0..<produced]))
                    if stream.pointee.avail_out != 0 { return true }
                }
            }
        }
        stream.pointee.next_in = nil
        return ok
    }

    func reset() { deflateReset(stream) }
}

/// A raw inflate stream fed message fragments.
final class InflateStream {
    private let stream: UnsafeMutablePointer<z_stream>
    private var scratch = [UInt8](repeating: 0, count: 16 * 1024)

    init?(windowBits: Int32) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        if CZlib_inflateInit2(stream, -windowBits) != Z_OK {
            stream.deinitialize(count: 1)
            stream.deallocate()
            return nil
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    enum Failure: Error { case corrupt, tooLarge }

    /// Inflates `input`, appending to `output`; fails when `output` would exceed `limit` bytes.
    func decompress(_ input: [UInt8], into output: inout [UInt8], limit: Int) throws(Failure) {
        // zlib counts input in 32 bits: hand it over in slices.
        for start in stride(from: 0, to: input.count, by: zlibSliceBytes) {
            try decompress(input[start..<Swift.min(input.count, start + zlibSliceBytes)], into: &output, limit: limit)
        }
    }

    private func decompress(_ input: ArraySlice<UInt8>, into output: inout [UInt8], limit: Int) throws(Failure) {
        if input.isEmpty { return }
        let result: Failure? = input.withUnsafeBufferPointer { inp in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: inp.baseAddress)
            // trap-safe: input comes in slices of at most zlibSliceBytes (1 GiB)
            stream.pointee.avail_in = UInt32(inp.count)
            return scratch.withUnsafeMutableBufferPointer { buf -> Failure? in
                while true {
                    stream.pointee.next_out = buf.baseAddress
                    // trap-safe: the 16 KiB scratch buffer
                    stream.pointee.avail_out = UInt32(buf.count)
                    let rc = inflate(stream, Z_SYNC_FLUSH)
                    let produced = buf.count - Int(stream.pointee.avail_out)
                    if produced > limit - output.count { return .tooLarge }
                    output.append(contentsOf: UnsafeBufferPointer(rebasing: buf[0..<produced]))
                    switch rc {
                    case Z_OK:
                        if stream.pointee.avail_in == 0 && stream.pointee.avail_out != 0 { return nil }
                    case Z_BUF_ERROR:
                        // No progress possible: all input consumed (or output space was needed and given).
                        if stream.pointee.avail_in == 0 { return nil }
                        if produced == 0 { return .corrupt }
                    case Z_STREAM_END:
                        // A block with BFINAL set ends the deflate stream (RFC 7692 section 7.2.3.3
                        // allows it); whatever follows, such as the appended empty block, starts anew.
                        inflateReset(stream)
                        if stream.pointee.avail_in == 0 { return nil }
                    default:
                        return .corrupt
                    }
                }
            }
        }
        stream.pointee.next_in = nil
        if let result { throw result }
    }

    func reset() { inflateReset(stream) }
}
