/// The base page a Jinja page template extends (`{% extends base %}`), with the block names of Bokeh's own
/// `file.html`, so that a Bokeh directory app's `templates/index.html` overrides the same places:
///
/// - `head` › `inner_head` › `title`, `preamble` (empty, for `<link>`/`<style>`), `resources` ›
///   `css_resources`, `js_resources`, then `postamble` (empty);
/// - `body` › `inner_body` › `contents` (each document's roots, one `root` block each, `scoped`), then the
///   page script (`plot_script`).
///
/// The variables are those Bokeh gives its templates: `title`, `bokeh_css`, `bokeh_js`, `plot_script`, `docs`
/// (each with `elementid` and `roots`), `doc`, `roots` (by name: `roots.plot`), `plot_div`, `embed(...)`, `base`,
/// and the application's and document's template variables.
enum BaseTemplate {
    static let source = """
        <!DOCTYPE html>
        <html lang="en">
          {% block head %}
          <head>
          {% block inner_head %}
            <meta charset="utf-8">
            <title>{% block title %}{{ title | e if title else "Bokeh Plot" }}{% endblock %}</title>
          {%  block preamble -%}{%- endblock %}
          {%  block resources %}
            <style>
              html, body {
                box-sizing: border-box;
                display: flow-root;
                height: 100%;
                margin: 0;
                padding: 0;
              }
            </style>
          {%   block css_resources -%}
            {{- bokeh_css if bokeh_css }}
          {%-  endblock css_resources %}
          {%   block js_resources -%}
            {{  bokeh_js if bokeh_js }}
          {%-  endblock js_resources %}
          {%  endblock resources %}
          {%  block postamble %}{% endblock %}
          {% endblock inner_head %}
          </head>
          {% endblock head %}
          {% block body %}
          <body>
          {%  block inner_body %}
          {%    block contents %}
          {%      for doc in docs %}
          {{        embed(doc) if doc.elementid }}
          {%-       for root in doc.roots %}
          {%          block root scoped %}
          {{            embed(root) }}
          {%          endblock %}
          {%        endfor %}
          {%      endfor %}
          {%    endblock contents %}
          {{ plot_script | indent(4) }}
          {%  endblock inner_body %}
          </body>
          {% endblock body %}
        </html>
        """
}
