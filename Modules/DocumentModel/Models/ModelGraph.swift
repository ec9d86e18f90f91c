/// Walks over the graph of models without recursion, so that a chain of models built by a peer (each
/// referencing one defined before it) cannot exhaust a thread's stack, however long it is.
enum ModelGraph {
    /// The deepest nesting of models below `starts`: 1 for a model referencing none, 1 + the deepest of its
    /// children otherwise (references back to a model being visited count as 0). This bounds how deep a
    /// serializer writes models inside models. Stops as soon as it passes `limit` and returns that depth.
    static func nesting(from starts: [Model], limit: Int) -> Int {
        var height: [ObjectIdentifier: Int] = [:]
        var visiting: Set<ObjectIdentifier> = []
        var deepest = 0
        var stack: [(model: Model, children: [Model], next: Int, height: Int)] = []
        for start in starts where height[ObjectIdentifier(start)] == nil {
            stack.append((start, start.referencedModels, 0, 1))
            visiting.insert(ObjectIdentifier(start))
            while !stack.isEmpty {
                let top = stack.count - 1
                if stack[top].next < stack[top].children.count {
                    let child = stack[top].children[stack[top].next]
                    stack[top].next += 1
                    let id = ObjectIdentifier(child)
                    if let h = height[id] {
                        stack[top].height = Swift.max(stack[top].height, h + 1)
                    } else if !visiting.contains(id) {
                        visiting.insert(id)
                        stack.append((child, child.referencedModels, 0, 1))
                    }
                    continue
                }
                let done = stack.removeLast()
                let id = ObjectIdentifier(done.model)
                visiting.remove(id)
                height[id] = done.height
                deepest = Swift.max(deepest, done.height)
                if deepest > limit { return deepest }
                if let parent = stack.indices.last {
                    stack[parent].height = Swift.max(stack[parent].height, done.height + 1)
                }
            }
        }
        return deepest
    }

    /// Takes apart the models `attributes` reference, one at a time, where nothing else holds them:
    /// releasing a long chain would otherwise recurse once per model.
    static func release(_ attributes: inout [(name: String, value: Value)]) {
        var pending: [Model] = []
        for attribute in attributes { attribute.value.forEachModel { pending.append($0) } }
        guard !pending.isEmpty else { return }
        attributes = []
        while var model = pending.popLast() {
            guard isKnownUniquelyReferenced(&model) else { continue }
            for attribute in model.attributes { attribute.value.forEachModel { pending.append($0) } }
            model.attributes = []
            // `model` is released here with no models left to release in turn.
        }
    }
}
