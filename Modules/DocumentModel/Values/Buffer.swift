/// A binary buffer referenced from serialized JSON as `{"type":"bytes","data":{"id":…}}`.
///
/// The serializer emits buffers next to the JSON; the Protocol layer sends each as a buffer header
/// plus a binary frame, and hands received ones back to the deserializer.
public struct Buffer: Hashable, Sendable {
    public var id: String
    public var bytes: [UInt8]

    public init(id: String, bytes: [UInt8]) {
        self.id = id
        self.bytes = bytes
    }
}
