extension PageTemplate {
    /// Renders with a fixed page of one root, as a session page would be: what the fuzz target drives.
    package func renderSample() throws(TemplateError) -> String {
        var page = PageContent(
            title: "sample <title>", jsURLs: ["/static/js/bokeh.min.js"], cssURLs: [],
            roots: [PageContent.Root(id: "p1001", name: "plot", elementID: "e1")], token: "token",
            docsJSONID: "d1")
        page.variables = ["extra": "<b>value</b>"]
        return try page.render(with: self)
    }
}
