/// The JavaScript that hands a document to BokehJS (Bokeh's `script_for_render_items` and `onload`
/// wrappers), shared by pages and autoload.js.
package enum EmbedScript {
    /// Calls `embed_items` once `root.Bokeh` exists (polling every 10 ms, giving up after 100 tries).
    package static func embedItems(docsJSON: String, renderItems: String, extraArguments: String) -> String {
        """
        (function(root) {
          function embed_document(root) {
            const docs_json = \(docsJSON);
            const render_items = \(renderItems);
            root.Bokeh.embed.embed_items(docs_json, render_items\(extraArguments));
          }
          if (root.Bokeh !== undefined) {
            embed_document(root);
          } else {
            let attempts = 0;
            const timer = setInterval(function(root) {
              if (root.Bokeh !== undefined) {
                clearInterval(timer);
                embed_document(root);
              } else {
                attempts++;
                if (attempts > 100) {
                  clearInterval(timer);
                  console.log("Bokeh: ERROR: Unable to run BokehJS code because BokehJS library is missing");
                }
              }
            }, 10, root)
          }
        })(window);
        """
    }

    /// Runs `code` inside `Bokeh.safely` once the DOM is loaded.
    package static func onLoad(_ code: String) -> String {
        """
          (function() {
            const fn = function() {
              Bokeh.safely(function() {
        \(code)
              });
            };
            if (document.readyState != "loading") fn();
            else document.addEventListener("DOMContentLoaded", fn);
          })();
        """
    }
}
