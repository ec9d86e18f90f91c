// The only file of Protocol that calls zlib.
import CZlib

/// zlib-format (RFC 1950) compression for the `__bk__zlib_` token payload.
enum Zlib {
    /// `zlib.compress(bytes, 9)`: default window and memory level, so the stream starts `78 da`.
    static func compress(_ bytes: [UInt8]) throws(ProtocolError) -> [UInt8] {
        var capacity = compressBound(uLong(bytes.count))
        // trap-safe: a bound on a token-sized input
        var output = [UInt8](repeating: 0, count: Int(capacity))
        let status = output.withUnsafeMutableBufferPointer { out in
            bytes.withUnsafeBufferPointer { input in
                compress2(out.baseAddress, &capacity, input.baseAddress, uLong(input.count), 9)
            }
        }
        guard status == Z_OK else { throw .compression("compress2 failed with status \(status)") }
        // trap-safe: zlib's output size, at most the bound above
        output.removeSubrange(Int(capacity)...)
        return output
    }

    /// The inflated contents of one zlib stream, refusing more than `maxOutput` bytes.
    static func decompress(_ bytes: [UInt8], maxOutput: Int) throws(ProtocolError) -> [UInt8] {
        var stream = z_stream()
        guard CZlib_inflateInit2(&stream, MAX_WBITS) == Z_OK else { throw .compression("inflateInit2 failed") }
        defer { inflateEnd(&stream) }
        var input = bytes
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        var status = Z_OK
        input.withUnsafeMutableBufferPointer { inputBuffer in
            stream.next_in = inputBuffer.baseAddress
            stream.avail_in = uInt(inputBuffer.count)
            repeat {
                let produced = chunk.withUnsafeMutableBufferPointer { chunkBuffer in
                    stream.next_out = chunkBuffer.baseAddress
                    stream.avail_out = uInt(chunkBuffer.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    return chunkBuffer.count - Int(stream.avail_out)
                }
                output.append(contentsOf: chunk[..<produced])
            } while status == Z_OK && output.count <= maxOutput && (stream.avail_in > 0 || stream.avail_out == 0)
        }
        guard output.count <= maxOutput else { throw .compression("inflated data exceeds \(maxOutput) bytes") }
        guard status == Z_STREAM_END else { throw .compression("invalid or truncated zlib data (status \(status))") }
        return output
    }
}
