/// A failure to decode, encode or apply document data.
public struct DocumentError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case json, malformed, unknownType, unknownReference, unknownBuffer, unsupportedDType, bufferSize
        case shape, unknownModel, notApplicable, patchIndex, patchValue, tooDeeplyNested, inlineData
        case callbackNotFound, callbackKind
    }

    private let code: Code
    public let message: String
    /// For unknown-reference errors, the id that could not be resolved; for callback-not-found errors, the
    /// callback's id.
    public let referenceID: String?

    private init(_ code: Code, _ message: String, referenceID: String? = nil) {
        self.code = code
        self.message = message
        self.referenceID = referenceID
    }

    public var description: String { message }

    /// The input was not valid JSON.
    public var isJSONError: Bool { code == .json }
    /// A reference named a model the receiver doesn't know.
    public var isUnknownReference: Bool { code == .unknownReference }
    /// A bytes reference named a buffer that wasn't supplied.
    public var isUnknownBuffer: Bool { code == .unknownBuffer }
    /// A session callback to remove is not in the document: it already ran or was removed (Bokeh's
    /// `ValueError` from `remove_session_callback`).
    public var isCallbackNotFound: Bool { code == .callbackNotFound }

    static func json(_ error: JSONError) -> Self { Self(.json, error.description) }
    static func malformed(_ what: String, expected: String) -> Self {
        Self(.malformed, "malformed \(what): expected \(expected)")
    }
    static func unknownValueType(_ type: String) -> Self {
        Self(.unknownType, "unable to decode an object of type '\(type)'")
    }
    static func unknownReference(_ id: String) -> Self {
        Self(.unknownReference, "can't resolve reference '\(id)'", referenceID: id)
    }
    static func unknownBuffer(_ id: String) -> Self { Self(.unknownBuffer, "no buffer with id '\(id)' was supplied") }
    static func unsupportedDType(_ dtype: String) -> Self { Self(.unsupportedDType, "unsupported dtype '\(dtype)'") }
    static func bufferSizeMismatch(dtype: String, byteCount: Int) -> Self {
        Self(.bufferSize, "buffer of \(byteCount) bytes is not a whole number of \(dtype) elements")
    }
    static func shapeMismatch(shape: [Int], count: Int) -> Self {
        Self(.shape, "shape \(shape) does not match \(count) elements")
    }
    static func unknownModel(_ id: String) -> Self { Self(.unknownModel, "model '\(id)' is not in the document") }
    static func notApplicable(_ what: String) -> Self { Self(.notApplicable, what) }
    static func patchIndexOutOfRange(_ index: Int, count: Int) -> Self {
        Self(.patchIndex, "patch index \(index) out of range for \(count) elements")
    }
    static func patchValueMismatch(dtype: String) -> Self {
        Self(.patchValue, "patch value cannot be stored in a \(dtype) column")
    }
    static func modelsTooDeeplyNested(limit: Int) -> Self {
        Self(.tooDeeplyNested, "models nested deeper than \(limit) levels")
    }
    static func tooDeeplyNested(limit: Int) -> Self {
        Self(.tooDeeplyNested, "value nested deeper than \(limit) levels")
    }
    static func callbackNotFound(_ id: String) -> Self {
        Self(.callbackNotFound, "callback already ran or was already removed, cannot be removed again", referenceID: id)
    }
    static func callbackKind(_ what: String) -> Self { Self(.callbackKind, what) }
    static func inlineData(_ what: String) -> Self { Self(.inlineData, "invalid inline bytes: \(what)") }
}
