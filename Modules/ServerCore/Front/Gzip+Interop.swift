// The only file of ServerCore that calls zlib.
import CZlib

/// gzip (RFC 1952) compression of HTTP response bodies (`Content-Encoding: gzip`).
enum Gzip {
    /// The whole of `bytes` as one gzip member (zlib's deflate with a gzip wrapper: window bits 15 + 16),
    /// or nil if zlib fails.
    static func compress(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8]? {
        var stream = z_stream()
        guard CZlib_deflateInit2(&stream, level, Z_DEFLATED, MAX_WBITS + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK else {
            return nil
        }
        defer { deflateEnd(&stream) }
        // trap-safe: a bound on a local file's size
        let bound = Int(deflateBound(&stream, uLong(bytes.count))) + 32
        var output = [UInt8](repeating: 0, count: bound)
        var input = bytes
        let status = input.withUnsafeMutableBufferPointer { inputBuffer in
            output.withUnsafeMutableBufferPointer { outputBuffer in
                stream.next_in = inputBuffer.baseAddress
                stream.avail_in = uInt(inputBuffer.count)
                stream.next_out = outputBuffer.baseAddress
                stream.avail_out = uInt(outputBuffer.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { return nil }
        // trap-safe: at most the bound above
        output.removeSubrange(Int(stream.total_out)...)
        return output
    }
}
