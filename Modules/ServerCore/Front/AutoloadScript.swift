import DocumentModel

/// The script `GET <app>/autoload.js` answers (Bokeh's `AUTOLOAD_JS` template): finds the target element,
/// loads the BokehJS scripts (in order, once per page), then embeds the session into the element.
struct AutoloadScript {
    var elementID: String
    var jsURLs: [String]
    var cssURLs: [String]
    var token: String
    /// `bokeh-app-path` (default `/`).
    var appPath: String
    /// `bokeh-absolute-url`, as given.
    var absoluteURL: String?
    var logLevel = "info"

    var renderItems: String {
        "[{\"token\":\(jsonString(token)),\"elementid\":\(jsonString(elementID)),\"use_for_title\":false}]"
    }

    var text: String {
        let embed = EmbedScript.embedItems(
            docsJSON: "{}", renderItems: renderItems,
            extraArguments: ", \(jsonString(appPath)), \(absoluteURL.map(jsonString) ?? "null")")
        let urls = { (list: [String]) in "[" + list.map(jsonString).joined(separator: ", ") + "]" }
        return """
            (function(root) {
              function now() {
                return new Date();
              }

              if (typeof root._bokeh_onload_callbacks === "undefined") {
                root._bokeh_onload_callbacks = [];
                root._bokeh_is_loading = undefined;
              }

              const element = document.getElementById(\(jsonString(elementID)));
              if (element == null) {
                console.warn("Bokeh: autoload.js configured with elementid '" + \(jsonString(elementID)) + "' but no matching script tag was found.");
                return false;
              }

              function run_callbacks() {
                try {
                  root._bokeh_onload_callbacks.forEach(function(callback) {
                    if (callback != null) callback();
                  });
                } finally {
                  delete root._bokeh_onload_callbacks;
                }
                console.debug("Bokeh: all callbacks have finished");
              }

              function load_libs(css_urls, js_urls, callback) {
                if (root._bokeh_onload_callbacks === undefined) root._bokeh_onload_callbacks = [];
                root._bokeh_onload_callbacks.push(callback);
                if (root._bokeh_is_loading > 0) {
                  console.debug("Bokeh: BokehJS is being loaded, scheduling callback at", now());
                  return null;
                }
                if (js_urls.length === 0 && css_urls.length === 0) {
                  run_callbacks();
                  return null;
                }
                console.debug("Bokeh: BokehJS not loaded, scheduling load and callback at", now());
                root._bokeh_is_loading = css_urls.length + js_urls.length;

                function on_load() {
                  root._bokeh_is_loading--;
                  if (root._bokeh_is_loading === 0) {
                    console.debug("Bokeh: all BokehJS libraries/stylesheets loaded");
                    run_callbacks();
                  }
                }

                function on_error(url) {
                  console.error("failed to load " + url);
                }

                for (const url of css_urls) {
                  const link = document.createElement("link");
                  link.onload = on_load;
                  link.onerror = on_error.bind(null, url);
                  link.rel = "stylesheet";
                  link.type = "text/css";
                  link.href = url;
                  document.body.appendChild(link);
                }

                for (const url of js_urls) {
                  const script = document.createElement("script");
                  script.onload = on_load;
                  script.onerror = on_error.bind(null, url);
                  script.async = false;
                  script.src = url;
                  document.head.appendChild(script);
                }
              }

              const js_urls = \(urls(jsURLs));
              const css_urls = \(urls(cssURLs));

              const inline_js = [
                function(Bokeh) {
                  Bokeh.set_log_level(\(jsonString(logLevel)));
                },
                function(Bokeh) {
            \(embed)
                },
              ];

              function run_inline_js() {
                for (let i = 0; i < inline_js.length; i++) {
                  inline_js[i].call(root, root.Bokeh);
                }
              }

              if (root._bokeh_is_loading === 0 || (root.Bokeh !== undefined && js_urls.length === 0)) {
                run_inline_js();
              } else {
                load_libs(css_urls, js_urls, function() {
                  console.debug("Bokeh: BokehJS plotting callback run at", now());
                  run_inline_js();
                });
              }
            }(window));

            """
    }
}
