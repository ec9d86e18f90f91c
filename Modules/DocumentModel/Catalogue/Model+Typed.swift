extension Model {
    // The typed accessors of the catalogue call these helpers with thousands of distinct types; keeping
    // them unspecialized keeps optimized builds of the catalogue fast (accessors decode dynamic values
    // anyway, so specialization would buy little).

    /// The attribute `name` decoded as `T`, or `nil` if unset or of another shape.
    @_semantics("optimize.sil.specialize.generic.never") @inline(never)
    public func attribute<T: BokehConvertible>(_ name: String, as type: T.Type) -> T? {
        self[name].flatMap { T.fromBokeh($0) }
    }

    /// The attribute `name` decoded as `T`, or `defaultValue` if unset or of another shape.
    @_semantics("optimize.sil.specialize.generic.never") @inline(never)
    public func attribute<T: BokehConvertible>(_ name: String, as type: T.Type, default defaultValue: T) -> T {
        attribute(name, as: type) ?? defaultValue
    }

    /// Sets attribute `name` from a typed value (through the document when attached).
    @_semantics("optimize.sil.specialize.generic.never") @inline(never)
    public func setAttribute<T: BokehConvertible>(_ name: String, _ value: T) {
        set(name, value.bokehValue)
    }

    /// Sets attribute `name` unless it is unset and `value` equals its default: as in Python Bokeh, setting
    /// a property to the value it already has changes nothing, so defaults stay off the wire.
    @_semantics("optimize.sil.specialize.generic.never") @inline(never)
    public func setAttribute<T: BokehConvertible>(_ name: String, _ value: T, unlessDefault defaultValue: T) {
        if self[name] == nil, value.bokehValue == defaultValue.bokehValue { return }
        set(name, value.bokehValue)
    }

    /// Sets attribute `name` as Python does: a value equal to the default of an unset property is not stored
    /// (constants and value specs of the same constant count as equal).
    func assign(_ name: String, _ value: Value) {
        if self[name] == nil, let spec = Self.declaredProperties.last(where: { $0.name == name }),
            let defaultValue = spec.defaultValue
        {
            // Python compares 0 == 0.0: an int equal to a float default is the default.
            func normalized(_ value: Value) -> Value {
                let number: Value = if case .int(let i) = value { .float(Double(i)) } else { value }
                return Spec<Value>.fromBokeh(number)?.bokehValue ?? number
            }
            if normalized(defaultValue) == normalized(value) { return }
        }
        set(name, value)
    }

    /// Attributes whose value doesn't fit the type the model class declares for them (unknown enum
    /// values, wrong shapes), for this model only. Attributes the class doesn't declare are kept as
    /// they are and not reported (custom or newer models).
    public func validate() -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        let declared = Self.declaredProperties
        for attribute in attributes {
            guard let spec = declared.last(where: { $0.name == attribute.name }) else { continue }
            if !spec.accepts(attribute.value) {
                issues.append(
                    ValidationIssue(
                        modelID: id, typeName: typeName, attribute: attribute.name,
                        message: "value does not fit \(spec.typeDescription)"))
            }
        }
        return issues
    }

    /// Stores the attributes a fresh Python instance carries (``instanceDefaultsJSON``: per-instance
    /// defaults such as `ColumnDataSource.selected`), with fresh ids for every model in them.
    func applyInstanceDefaults() {
        guard let json = Self.instanceDefaultsJSON,
            case .object(let object)? = try? JSONReader.parse(json)
        else { return }
        var ids: [String: String] = [:]
        let fresh = Self.renumber(.object(object), &ids)
        var deserializer = Deserializer()
        guard case .object(let renumbered) = fresh else { return }
        for member in renumbered.members {
            guard let value = try? deserializer.decode(member.value) else { continue }
            store(member.key, value)
        }
    }

    /// Replaces every model id in `json` with a fresh one from ``IDGenerator``, consistently.
    private static func renumber(_ json: JSONValue, _ ids: inout [String: String]) -> JSONValue {
        switch json {
        case .array(let items): return .array(items.map { renumber($0, &ids) })
        case .object(let object):
            var members: [(key: String, value: JSONValue)] = []
            for member in object.members {
                if member.key == "id", case .string(let old) = member.value {
                    let new = ids[old] ?? IDGenerator.next()
                    ids[old] = new
                    members.append((key: "id", value: .string(new)))
                } else {
                    members.append((key: member.key, value: renumber(member.value, &ids)))
                }
            }
            return .object(JSONObject(members))
        default: return json
        }
    }
}

extension Document {
    /// Calls `callback` with typed old and new values when `key` of `model` changes; values that don't
    /// fit the type arrive as `nil`.
    @discardableResult
    public func onChange<T: BokehConvertible>(
        of model: Model, _ key: PropertyKey<T>, _ callback: @escaping (_ old: T?, _ new: T?) -> Void
    ) -> CallbackToken {
        onChange(of: model, attribute: key.name) { _, old, new in
            callback(old.flatMap { T.fromBokeh($0) }, T.fromBokeh(new))
        }
    }

    /// Calls `callback` for UI events of `kind` (optionally only those about `model`).
    @discardableResult
    public func onEvent(_ kind: EventKind, of model: Model? = nil, _ callback: @escaping (UIEvent) -> Void)
        -> CallbackToken
    {
        onEvent(kind.rawValue, of: model, callback)
    }

    /// Every issue ``Model/validate()`` finds in the document's models, in id order.
    public func validateModels() -> [ValidationIssue] {
        models.values.sorted { $0.id < $1.id }.flatMap { $0.validate() }
    }
}

extension UIEvent {
    /// A number in the event's values (`"x"`, `"sx"`, `"delta"`), if present.
    public func number(_ key: String) -> Double? { member(key)?.doubleValue }

    /// A value of the event's `values` map by key.
    public func member(_ key: String) -> Value? {
        switch values {
        case .map(let map): map[key]
        case .dictionary(let members): members.first { $0.key == key }?.value
        default: nil
        }
    }
}
