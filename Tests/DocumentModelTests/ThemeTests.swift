import Foundation
import Testing

@testable import DocumentModel

@Suite struct ThemeYAMLTests {
    @Test func readsTheFormsThemeFilesUse() throws {
        let yaml = """
            # comment
            attrs:
              Plot:
                background_fill_color: '#2F2F2F'   # trailing comment
                title: "a \\"quoted\\" #title"
                width: 1200
                alpha: .3
                ratio: 1.5e+3
                octal: 012
                flag: yes
                off: off
                nothing: ~
                tagged: !!null
                text: !!str 12
                dash: [6, 4]
                nested: {a: 1, b: [x, 'y']}
                list:
                  - 1
                  - two
                  - k: v
                    m: n
            """
        let json = try ThemeYAML.parse(yaml)
        let plot = try #require(json["attrs"]?["Plot"])
        #expect(plot["background_fill_color"] == .string("#2F2F2F"))
        #expect(plot["title"] == .string("a \"quoted\" #title"))
        #expect(plot["width"] == .int(1200))
        #expect(plot["alpha"] == .double(0.3))
        #expect(plot["ratio"] == .double(1500))
        #expect(plot["octal"] == .int(10))
        #expect(plot["flag"] == .bool(true))
        #expect(plot["False"] == .bool(false))  // PyYAML: {False: False}
        #expect(plot["nothing"] == .null)
        #expect(plot["tagged"] == .null)
        #expect(plot["text"] == .string("12"))
        #expect(plot["dash"] == .array([.int(6), .int(4)]))
        #expect(plot["nested"]?["b"] == .array([.string("x"), .string("y")]))
        #expect(plot["list"] == .array([.int(1), .string("two"), .object(["k": "v", "m": "n"])]))
    }

    @Test func refusesWhatItDoesNotRead() {
        let cases = [
            "attrs:\n  Plot: &anchor\n    width: 1", "attrs:\n  Plot:\n    text: |\n      block", "a: 1\n---\nb: 2",
            "attrs:\n\tPlot: 1", "a: [1, 2", "a: 'open", "a: b\n    c",
        ]
        for text in cases {
            #expect(throws: ThemeError.self, "\(text)") { try ThemeYAML.parse(text) }
        }
    }

    @Test func badThemesSayWhy() {
        #expect(throws: ThemeError.notATheme("attrs field should be a dictionary of class names, not [1]")) {
            try Theme(yaml: "attrs: [1]")
        }
        #expect(throws: ThemeError.self) { try Theme(json: "{") }
        #expect(throws: ThemeError.self) { try Theme(contentsOfFile: "/nonexistent/theme.yaml") }
        #expect(throws: Never.self) { try Theme(yaml: "") }
    }

    @Test func readsAThemeFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("theme-\(UUID().uuidString).yaml").path
        try "attrs:\n  Plot:\n    width: 640\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let plot = figure()
        let document = Document()
        document.addRoot(plot)
        document.theme = try Theme(contentsOfFile: path)
        #expect(plot.width == 640)
    }
}

@Suite struct DocumentThemeTests {
    @Test func themedValuesNeverReplaceSetOnes() {
        let a = figure(width: 300)
        let b = figure()
        let document = Document()
        document.addRoot(row(a, b))
        document.theme = try? Theme(
            json: ##"{"attrs": {"Plot": {"width": 1200, "background_fill_color": "#eeeeee"}}}"##)
        #expect(a.width == 300)
        #expect(b.width == 1200)
        #expect(b.backgroundFillColor == .css("#eeeeee"))
        // The app's value wins over the theme's from then on.
        b.width = 500
        #expect(b.width == 500)
    }

    @Test func changingTheThemeReportsTheChangedValues() throws {
        let plot = figure()
        let document = Document()
        document.addRoot(plot)
        var events: [DocumentEvent] = []
        document.onChange { events.append($0) }
        document.theme = try Theme(json: #"{"attrs": {"Plot": {"min_border_top": 7}}}"#)
        document.theme = try Theme(json: #"{"attrs": {"Plot": {"min_border_top": 7}}}"#)
        document.theme = nil
        let changes = events.compactMap { event -> String? in
            guard case .modelChanged(let e) = event, e.model === plot else { return nil }
            return "\(e.attribute)=\(e.new)"
        }
        #expect(changes.first == "min_border_top=7")
        #expect(changes.count == 2)
        #expect(plot.minBorderTop == nil)
    }

    @Test func modelsTakeTheThemeWhenTheyJoinAndDropItWhenTheyLeave() throws {
        let document = Document()
        document.theme = .darkMinimal
        let plot = figure()
        #expect(plot.themedAttributes.isEmpty)
        document.addRoot(plot)
        #expect(!plot.themedAttributes.isEmpty)
        #expect(plot.backgroundFillColor == .css("#20262B"))
        try document.removeRoot(plot)
        #expect(plot.themedAttributes.isEmpty)
    }

    @Test func everyBuiltInThemeLoads() {
        #expect(Theme.builtInNames == ["caliber", "carbon", "contrast", "dark_minimal", "light_minimal", "night_sky"])
        for name in Theme.builtInNames { #expect(Theme.builtIn(name)?.attrs.isEmpty == false, "\(name)") }
    }
}
