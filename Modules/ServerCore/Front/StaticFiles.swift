import Foundation
import Locking
import Wire

/// A directory served with Tornado's `StaticFileHandler` semantics (reference §1.7): `Etag` (SHA-512 of
/// the content), `Last-Modified`, `Accept-Ranges`, ten-year caching when the URL carries `v=`, `304` on a
/// matching `If-None-Match` (or an `If-Modified-Since` equal to `Last-Modified`), single byte ranges
/// (`206`/`416`), `403` for directories and paths outside the root, `404` for missing files, and gzip for
/// compressible types when the client accepts it.
///
/// File contents, digests and gzip forms are cached and refreshed when a file's size or mtime changes.
/// Any thread.
final class StaticFiles: Sendable {
    /// The served directory, absolute and standardised.
    let root: String
    /// Files larger than this are read per request and not cached.
    let maxCachedFileBytes: Int
    private let cache = Lock<[String: Entry]>([:])

    struct Entry: Sendable {
        let modified: Int64
        let size: Int
        let bytes: [UInt8]
        let hash: String
        var gzip: [UInt8]?
    }

    /// Ten years, as Tornado's `CACHE_MAX_AGE`.
    static let cacheMaxAge: Int64 = 86_400 * 365 * 10
    /// Tornado's `GZipContentEncoding.MIN_LENGTH`.
    static let minimumGzipBytes = 1024

    /// Serves `directory`; nil when it is not a directory.
    init?(directory: String, maxCachedFileBytes: Int = 32 * 1024 * 1024) {
        let absolute = URL(fileURLWithPath: directory).standardizedFileURL.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: absolute, isDirectory: &isDirectory), isDirectory.boolValue else {
            return nil
        }
        root = absolute
        self.maxCachedFileBytes = maxCachedFileBytes
    }

    /// Where a request path points.
    enum Lookup: Equatable {
        case file(String)
        /// Outside the root, or a directory: 403.
        case forbidden(String)
        case missing
    }

    /// Resolves a decoded path relative to the root as Tornado's `validate_absolute_path` does.
    func lookup(_ relative: String) -> Lookup {
        guard !relative.utf8.contains(0) else { return .missing }
        let joined = URL(fileURLWithPath: root).appendingPathComponent(relative).standardizedFileURL.path
        guard joined == root || joined.hasPrefix(root.hasSuffix("/") ? root : root + "/") else {
            return .forbidden("\(relative) is not in root static directory")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: joined, isDirectory: &isDirectory) else { return .missing }
        return isDirectory.boolValue ? .forbidden("\(relative) is not a file") : .file(joined)
    }

    /// The SHA-512 hex digest of a file (the `v=` value of resource URLs), nil when it cannot be read.
    func versionHash(of relative: String) -> String? {
        guard case .file(let path) = lookup(relative) else { return nil }
        return entry(at: path)?.hash
    }

    /// The contents of a file under the root, nil when absent or unreadable.
    func contents(of relative: String) -> [UInt8]? {
        guard case .file(let path) = lookup(relative) else { return nil }
        return entry(at: path)?.bytes
    }

    private func entry(at path: String) -> Entry? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
        let size = (attributes[.size] as? NSNumber)?.intValue ?? -1
        let seconds = ((attributes[.modificationDate] as? Date) ?? Date(timeIntervalSince1970: 0)).timeIntervalSince1970
        let modified = Int64(exactly: seconds.rounded(.down)) ?? 0
        if let cached = cache.withLock({ $0[path] }), cached.size == size, cached.modified == modified { return cached }
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let bytes = [UInt8](data)
        let entry = Entry(
            modified: modified, size: bytes.count, bytes: bytes, hash: Digest.hex(Digest.sha512(bytes)), gzip: nil)
        if bytes.count <= maxCachedFileBytes { cache.withLock { $0[path] = entry } }
        return entry
    }

    private func gzipped(_ entry: Entry, at path: String) -> [UInt8]? {
        if let done = entry.gzip { return done }
        guard let compressed = Gzip.compress(entry.bytes) else { return nil }
        cache.withLock {
            if $0[path]?.hash == entry.hash { $0[path]?.gzip = compressed }
        }
        return compressed
    }

    /// The answer to `GET`/`HEAD` of `relative` (already percent-decoded). The body is the full
    /// representation for HEAD too: the caller sends only the head.
    func response(to relative: String, query: Substring, headers: HTTPHeaders, now: Int64) -> HTTPResponse {
        let path: String
        switch lookup(relative) {
        case .missing: return HTTPResponses.error(404)
        case .forbidden: return HTTPResponses.error(403)
        case .file(let p): path = p
        }
        guard var entry = entry(at: path) else { return HTTPResponses.error(404) }
        let contentType = Self.contentType(forPath: path)
        var head = HTTPResponseHead(status: .ok)
        let etag = "\"\(entry.hash)\""
        let lastModified = HTTPDate.format(secondsSince1970: entry.modified)
        head.headers.add(name: "Accept-Ranges", value: "bytes")
        head.headers.add(name: "Etag", value: etag)
        head.headers.add(name: "Last-Modified", value: lastModified)
        if QueryString.parsePairs(query).contains(where: { $0.name == "v" }) {
            head.headers.add(name: "Expires", value: HTTPDate.format(secondsSince1970: now + Self.cacheMaxAge))
            head.headers.add(name: "Cache-Control", value: "max-age=\(Self.cacheMaxAge)")
        }
        let compressible = Self.isCompressible(contentType)
        if compressible { head.headers.add(name: "Vary", value: "Accept-Encoding") }

        if let ifNoneMatch = headers["If-None-Match"] {
            if Self.etagMatches(ifNoneMatch, etag) { return notModified(head) }
        } else if let since = headers["If-Modified-Since"], since == lastModified {
            return notModified(head)
        }

        let size = entry.size
        if let rangeHeader = headers["Range"], let range = ByteRange(parsing: rangeHeader) {
            guard let bounds = range.bounds(size: size) else {
                var response = HTTPResponses.error(416)
                response.head.headers.add(name: "Content-Range", value: "bytes */\(size)")
                return response
            }
            if bounds.count != size {
                head.status = .partialContent
                head.headers.add(
                    name: "Content-Range", value: "bytes \(bounds.lowerBound)-\(bounds.upperBound - 1)/\(size)")
                head.headers.add(name: "Content-Type", value: contentType)
                return HTTPResponse(head: head, body: Array(entry.bytes[bounds]))
            }
        }
        head.headers.add(name: "Content-Type", value: contentType)
        if compressible, size >= Self.minimumGzipBytes, Self.acceptsGzip(headers) {
            if entry.gzip == nil { entry.gzip = gzipped(entry, at: path) }
            if let compressed = entry.gzip {
                head.headers.add(name: "Content-Encoding", value: "gzip")
                return HTTPResponse(head: head, body: compressed)
            }
        }
        return HTTPResponse(head: head, body: entry.bytes)
    }

    private func notModified(_ head: HTTPResponseHead) -> HTTPResponse {
        var head = head
        head.status = .notModified
        return HTTPResponse(head: head)
    }

    static func etagMatches(_ header: String, _ etag: String) -> Bool {
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        if trimmed == "*" { return true }
        let bare = { (s: String) -> String in s.hasPrefix("W/") ? String(s.dropFirst(2)) : s }
        return trimmed.split(separator: ",").contains { bare($0.trimmingCharacters(in: .whitespaces)) == etag }
    }

    static func acceptsGzip(_ headers: HTTPHeaders) -> Bool {
        headers.values(name: "Accept-Encoding").contains { value in
            value.split(separator: ",").contains { item in
                let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                guard parts.first == "gzip" else { return false }
                return !parts.dropFirst().contains { $0 == "q=0" || $0 == "q=0.0" || $0 == "q=0.00" || $0 == "q=0.000" }
            }
        }
    }

    /// Tornado's `GZipContentEncoding.CONTENT_TYPES` plus `text/*`.
    static func isCompressible(_ contentType: String) -> Bool {
        let type = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        return type.hasPrefix("text/")
            || [
                "application/javascript", "application/x-javascript", "application/xml", "application/atom+xml",
                "application/json", "application/xhtml+xml", "image/svg+xml",
            ].contains(type)
    }

    /// Python's `mimetypes.guess_type` for the file types BokehJS ships.
    static func contentType(forPath path: String) -> String {
        let ext = URL(fileURLWithPath: path).pathExtension.lowercased()
        switch ext {
        case "js", "mjs": return "text/javascript"
        case "css": return "text/css"
        case "html", "htm": return "text/html"
        case "json", "map": return "application/json"
        case "ico": return "image/x-icon"
        case "png": return "image/png"
        case "svg": return "image/svg+xml"
        case "gif": return "image/gif"
        case "jpg", "jpeg": return "image/jpeg"
        case "txt", "md": return "text/plain"
        case "ts": return "video/mp2t"
        case "woff": return "font/woff"
        case "woff2": return "font/woff2"
        case "ttf": return "font/ttf"
        default: return "application/octet-stream"
        }
    }
}

/// One `Range: bytes=…` request (Tornado's `_parse_request_range`: a single range; anything else is
/// ignored and the whole file is sent).
struct ByteRange: Equatable {
    /// First byte, or nil for a suffix range (`bytes=-N`).
    let start: Int?
    /// Last byte, inclusive, or nil for an open range (`bytes=N-`); for a suffix range, N.
    let end: Int?

    init(start: Int?, end: Int?) {
        self.start = start
        self.end = end
    }

    init?(parsing header: String) {
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("bytes="), !trimmed.contains(",") else { return nil }
        let spec = trimmed.dropFirst("bytes=".count)
        guard let dash = spec.firstIndex(of: "-") else { return nil }
        let first = spec[..<dash].trimmingCharacters(in: .whitespaces)
        let last = spec[spec.index(after: dash)...].trimmingCharacters(in: .whitespaces)
        func number(_ s: String) -> Int?? {
            if s.isEmpty { return .some(nil) }
            guard s.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), s.utf8.count <= 18, let n = Int(s) else { return nil }
            return .some(n)
        }
        guard let start = number(first), let end = number(last), start != nil || end != nil else { return nil }
        if let s = start, let e = end, e < s { return nil }
        self.start = start
        self.end = end
    }

    /// The half-open byte range to send for a file of `size` bytes, nil when unsatisfiable (416).
    func bounds(size: Int) -> Range<Int>? {
        if let start {
            guard start < size else { return nil }
            let upper = end.map { min($0 + 1, size) } ?? size
            return start..<upper
        }
        guard let suffix = end, suffix > 0, size > 0 else { return nil }
        return max(size - suffix, 0)..<size
    }
}
