internal import Foundation

extension Document {
    /// The document as one HTML page that renders without a server, structured like Python's
    /// `bokeh.embed.file_html`: BokehJS scripts, one `<div>` per root, the document JSON (binary data
    /// inline) in an `application/json` script and the `embed_items` bootstrap. What a server peer is known
    /// to have is left alone.
    public func standaloneHTML(resources: Resources = .cdn, title: String? = nil) throws(JSONError) -> String {
        let docID = UUID().uuidString.lowercased()
        let jsonID = UUID().uuidString.lowercased()
        let divs = roots.map { (root: $0.id, element: UUID().uuidString.lowercased()) }
        let docJSON = try JSONWriter(options: .bokehContent).string(
            .object(JSONObject([(key: docID, value: encodedJSON(bytesMode: .inline).json)])))
        let renderItems = try JSONWriter(options: .bokehContent).string(
            .array([
                .object([
                    "docid": .string(docID),
                    "roots": .object(JSONObject(divs.map { (key: $0.root, value: .string($0.element)) })),
                    "root_ids": .array(divs.map { .string($0.root) }),
                ])
            ]))
        let pageTitle = Self.escapeHTML(title ?? self.title)
        let divTags = divs.map {
            "    <div id=\"\($0.element)\" data-root-id=\"\($0.root)\" style=\"display: contents;\"></div>\n"
        }.joined()
        return """
            <!DOCTYPE html>
            <html lang="en">
              <head>
                <meta charset="utf-8">
                <title>\(pageTitle)</title>
                <style>
                  html, body {
                    box-sizing: border-box;
                    display: flow-root;
                    height: 100%;
                    margin: 0;
                    padding: 0;
                  }
                </style>
            \(resources.scriptTags(for: self))<script>
            Bokeh.set_log_level("info");
            </script>
              </head>
              <body>
            \(divTags)
                <script type="application/json" id="\(jsonID)">
                  \(docJSON.replacingOccurrences(of: "</", with: "<\\/"))
                </script>
                <script>
            \(EmbedScript.onLoad(EmbedScript.embedItems(docsJSON: "document.getElementById('\(jsonID)').textContent", renderItems: renderItems, extraArguments: "")))
                </script>
              </body>
            </html>

            """
    }

    /// Python's `bokeh.embed.json_item`: `{"target_id", "root_id", "doc", "version"}` for `root` (the first
    /// root by default), binary data inline, for `Bokeh.embed.embed_item(item)` in a page of your own.
    public func jsonItem(root: Model? = nil, target: String? = nil) -> JSONValue {
        let rootID = (root ?? roots.first)?.id
        return .object([
            "target_id": target.map { .string($0) } ?? .null,
            "root_id": rootID.map { .string($0) } ?? .null,
            "doc": encodedJSON(bytesMode: .inline).json,
            "version": .string(Self.bokehVersion),
        ])
    }

    static func escapeHTML(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
