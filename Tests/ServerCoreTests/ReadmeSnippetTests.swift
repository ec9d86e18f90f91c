import DocumentModel
import ServerCore
import Testing

// README's Swift snippets, verbatim apart from the server start-up: if they stop compiling, README is wrong.

let readmeApp = Application { document, context in
    let slider = Slider(start: 0, end: 10, value: 1, .step(1), .title("n"))
    let status = Div(.text("n=1"))
    context.onChange(of: slider, \.value) { _, new in status.text = "n=\(Int(new))" }
    document.addRoot(column(slider, status))
}

@Suite struct ReadmeSnippetTests {
    @Test func theAppInTenLinesAnswersASliderMove() async throws {
        let f = try await Fixture(application: readmeApp)
        defer { f.shutdown() }
        let id = try await f.session.withDocumentLocked { document in
            document.models.values.first { $0 is Slider }?.id ?? ""
        }
        f.session.receive(
            try patch("{\"kind\":\"ModelChanged\",\"model\":{\"id\":\"\(id)\"},\"attr\":\"value\",\"new\":4}"),
            from: f.a)
        #expect(await eventually { f.inboxA.types == ["PATCH-DOC", "OK"] })
        #expect(text(f.inboxA.messages[0]).contains("\"new\":\"n=4\""))
    }

    @Test func theTypedModelsSnippetBuildsAPage() throws {
        let source = ColumnDataSource(columns: ["x": [1.0, 2, 3], "y": [4.0, 5, 6]])
        let plot = figure(title: "scatter", width: 300, height: 200, xAxisLabel: "x")
        plot.scatter(x: "x", y: "y", source: source, size: 10, marker: .triangle, color: "navy")
        let slider = Slider(start: 1, end: 20, value: 10, .title("size"))
        let button = Button(label: "Reset")
        let document = Document(title: "Demo")
        document.addRoot(row(plot, column(slider, button)))

        document.onChange(of: slider, \.value) { old, new in print("size", old ?? 0, "→", new) }
        document.onEvent(.buttonClick, of: button) { _ in slider.value = 10 }
        document.theme = .darkMinimal  // or try Theme(contentsOfFile: "theme.yaml")

        let html = try document.standaloneHTML()  // BokehJS from cdn.bokeh.org; .inline/.local also
        let item = document.jsonItem(target: "myplot")  // Python's json_item shape
        #expect(html.contains("dark_minimal") || html.contains("#20262B") || html.contains("#20262b"))
        _ = item
    }

    /// README's ServeCommand lines build the command their comments describe.
    @Test func theServeCommandFormsOfTheReadme() throws {
        let one = try ServeCommand(readmeApp).parse(["--port", "0"], environment: [:])
        #expect(one.applications.map(\.path) == ["/"])
        let several = try ServeCommand(["/sliders": readmeApp, "/stream": readmeApp]).parse([], environment: [:])
        #expect(several.applications.map(\.path) == ["/sliders", "/stream"])
    }
}

@Suite struct ReadmeAuthSnippetTests {
    @Test func theOwnPolicySnippetCompilesAndAuthenticates() async throws {
        let app = readmeApp
        let staff = AuthPolicy {  // no login URL: unauthenticated pages get 401
            request in
            guard let name = request.header("X-User") else { return nil }
            return AuthenticatedUser(name, claims: ["groups": ["staff"]])
        }
        let command = ServeCommand(app).configuring { $0.auth.policy = staff }
        let policy = try #require(try command.parse([], environment: [:]).configuration.auth.policy)
        let user = try await policy.authenticate(
            IncomingRequest(method: "GET", path: "/", headers: [("X-User", "ann")]))
        #expect(user == AuthenticatedUser("ann", claims: ["groups": ["staff"]]))
        #expect(try await policy.authenticate(IncomingRequest(method: "GET", path: "/")) == nil)
        #expect(await policy.loginURL(for: IncomingRequest(method: "GET", path: "/")) == nil)
    }
}
