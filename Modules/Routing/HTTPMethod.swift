public import Wire

/// Routes match Wire's request method type.
public typealias HTTPMethod = Wire.HTTPMethod
