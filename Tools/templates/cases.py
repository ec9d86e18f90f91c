"""Comparison cases: each renders `main` from `files` (a DictLoader) with `vars`.

Value encodings (decoded by both compare.py and main.swift): {"$float": "1.5"}, {"$markup": "<b>"},
{"$bokeh": "file.html.jinja"} (Bokeh's own environment, trim_blocks+lstrip_blocks), {"$template": "name"}
(from the case's files), {"$function": "embed"|"upper"}. main "$bokeh:NAME" renders a Bokeh template.
Dicts are written with sorted keys (the Swift engine iterates dicts in key order).
"""

BOKEH_JS = '<script type="text/javascript" src="https://cdn.bokeh.org/bokeh/release/bokeh-3.10.2.min.js"></script>\n<script type="text/javascript">\n    Bokeh.set_log_level("info");\n</script>'
BOKEH_CSS = '<link rel="stylesheet" href="static/extra.css" type="text/css" />'
PLOT_SCRIPT = ('<script type="application/json" id="p1050">\n  {"a5b1":{"version":"3.10.2","title":"Bokeh Application","roots":[]}}\n</script>\n'
               '<script type="text/javascript">\n  (function() {\n    const fn = function() {\n      Bokeh.safely(function() {\n'
               '        (function(root) {\n          root.Bokeh.embed.embed_items(docs_json, render_items);\n        })(window);\n'
               '      });\n    };\n    if (document.readyState != "loading") fn();\n    else document.addEventListener("DOMContentLoaded", fn);\n  })();\n</script>')

ROOT_PLOT = {"elementid": "abc", "id": "p1001", "name": "plot", "tags": []}
ROOT_SLIDER = {"elementid": "def", "id": "p1002", "name": "slider", "tags": ["x"]}


def bokeh_context(title="Bokeh Application", roots=(ROOT_PLOT,), doc_elementid=None, **extra):
    doc = {"elementid": doc_elementid, "roots": list(roots)}
    ctx = {
        "title": title,
        "bokeh_js": BOKEH_JS,
        "bokeh_css": BOKEH_CSS,
        "plot_script": PLOT_SCRIPT,
        "docs": [doc],
        "doc": doc,
        "roots": {r["name"]: r for r in sorted(roots, key=lambda r: r["name"])},
        "base": {"$bokeh": "file.html.jinja"},
        "macros": {"$bokeh": "macros.html.jinja"},
        "plot_div": "\n".join(f'<div id="{r["elementid"]}"></div>' for r in roots),
    }
    ctx.update(extra)
    return ctx


GALLERY_INDEX = """{% extends base %}

{% block title %}Crossfilter Demo{% endblock %}

{% block preamble %}
<link href="app/static/css/styles.css" rel="stylesheet">
{% endblock %}

{% block contents %}
<div class="content">
  <h1>{{ title }}</h1>
  {{ embed(roots.plot) }}
  <p>Below: the default contents.</p>
  {{ super() }}
</div>
{% endblock %}
"""

GALLERY_INDEX2 = """{% extends base %}

{% block postamble %}
  <style>
    .row { display: flex; }
  </style>
{% endblock %}

{% block inner_body %}
  <div class="row">
    {% for name in roots %}
    <div class="col" id="col-{{ loop.index }}">{{ embed(roots[name]) }}</div>
    {% endfor %}
  </div>
  {{- super() }}
{% endblock %}
"""

CASES = [
    # --- Bokeh's own base template -------------------------------------------------------------
    {"name": "bokeh_file_html", "files": {}, "main": "$bokeh:file.html.jinja", "vars": bokeh_context()},
    {"name": "bokeh_file_html_escaped_title_two_roots", "files": {}, "main": "$bokeh:file.html.jinja",
     "vars": bokeh_context(title="<Plot & 'Friends'>", roots=(ROOT_PLOT, ROOT_SLIDER), doc_elementid="docdiv")},
    {"name": "bokeh_file_html_no_title_no_resources", "files": {}, "main": "$bokeh:file.html.jinja",
     "vars": {k: v for k, v in bokeh_context(title="").items() if k not in ("bokeh_js", "bokeh_css")}},
    {"name": "bokeh_macros_embed_root_div", "files": {}, "main": "$bokeh:root_div.html.jinja",
     "vars": {"root": ROOT_PLOT, "macros": {"$bokeh": "macros.html.jinja"}}},
    {"name": "bokeh_plot_div", "files": {}, "main": "$bokeh:plot_div.html.jinja",
     "vars": {"doc": {"elementid": "d1", "roots": [ROOT_PLOT, ROOT_SLIDER]}, "macros": {"$bokeh": "macros.html.jinja"}}},
    # --- directory-app templates (default Environment) extending Bokeh's base -------------------
    {"name": "gallery_index_extends_base", "files": {"index.html": GALLERY_INDEX}, "main": "index.html", "vars": bokeh_context()},
    {"name": "gallery_index_inner_body", "files": {"index.html": GALLERY_INDEX2}, "main": "index.html",
     "vars": bokeh_context(roots=(ROOT_PLOT, ROOT_SLIDER))},
    {"name": "gallery_string_template_bokeh_env", "files": {"t": "{% extends base %}\n{% block contents %}\n  {% for r in doc.roots %}\n    {{ embed(r) }}\n  {% endfor %}\n{% endblock %}\n"},
     "main": "t", "options": {"trim_blocks": True, "lstrip_blocks": True}, "vars": bokeh_context(roots=(ROOT_PLOT, ROOT_SLIDER))},
    {"name": "gallery_override_root_block", "files": {"index.html": "{% extends base %}\n{% block root %}<section>{{ embed(root) }}</section>{% endblock %}\n"},
     "main": "index.html", "vars": bokeh_context(roots=(ROOT_PLOT, ROOT_SLIDER))},
    {"name": "embed_function_value", "files": {"t": "{{ embed(roots.plot) }}|{{ embed(doc.roots[0]) }}"}, "main": "t",
     "vars": {"embed": {"$function": "embed"}, "roots": {"plot": ROOT_PLOT}, "doc": {"roots": [ROOT_PLOT]}}},
    # --- inheritance ------------------------------------------------------------------------------
    {"name": "multi_level_inheritance_super_chain",
     "files": {"base": "<{% block a %}A-base{% endblock %}|{% block b %}B-base{% block c %}C-base{% endblock %}{% endblock %}>",
               "mid": "{% extends 'base' %}{% block a %}A-mid[{{ super() }}]{% endblock %}{% block c %}C-mid[{{ super() }}]{% endblock %}",
               "child": "{% extends 'mid' %}{% block a %}A-child[{{ super() }}]{% endblock %}"},
     "main": "child"},
    {"name": "text_before_extends_and_outside_blocks",
     "files": {"base": "[{% block x %}base{% endblock %}]", "child": "before\n{% extends 'base' %}\nignored {{ 1/0 if false }}\n{% block x %}child{% endblock %}\nignored too"},
     "main": "child"},
    {"name": "include_after_extends_still_outputs",
     "files": {"base": "[{% block x %}base{% endblock %}]", "inc": "INC", "child": "{% extends 'base' %}{% include 'inc' %}{% block x %}c{% endblock %}"},
     "main": "child"},
    {"name": "toplevel_set_in_child_visible_in_parent_blocks",
     "files": {"base": "{% block x %}{{ greeting }} {{ who }}{% endblock %}", "child": "{% extends 'base' %}{% set greeting = 'Hello' %}{% block x %}{{ super() }}!{% endblock %}"},
     "main": "child", "vars": {"who": "World"}},
    {"name": "scoped_and_unscoped_blocks",
     "files": {"t": "{% for i in [1, 2] %}{% block s scoped %}[{{ i }}]{% endblock %}{% block u %}({{ i }}){% endblock %}{% endfor %}"},
     "main": "t"},
    {"name": "extends_dynamic_string_and_template",
     "files": {"base": "B:{% block x %}{% endblock %}", "c1": "{% extends parent %}{% block x %}one{% endblock %}",
               "c2": "{% extends tmpl %}{% block x %}two{% endblock %}", "main": "{% include 'c1' %}|{% include 'c2' %}"},
     "main": "main", "vars": {"parent": "base", "tmpl": {"$template": "base"}}},
    {"name": "nested_block_override",
     "files": {"base": "<{% block outer %}O[{% block inner %}I{% endblock %}]{% endblock %}>", "child": "{% extends 'base' %}{% block inner %}child-inner{% endblock %}"},
     "main": "child"},
    {"name": "endblock_with_name_and_self_block_in_loop",
     "files": {"t": "{% block head %}H{% endblock head %}\n{% block body %}B{% endblock body %}\n"}, "main": "t"},
    # --- include ----------------------------------------------------------------------------------
    {"name": "include_sees_context_and_loop_vars",
     "files": {"item": "<li>{{ prefix }}{{ item }} {{ loop is defined }}{% if loop is defined %} #{{ loop.index }}{% endif %}</li>\n", "t": "<ul>\n{% for item in items %}{% include 'item' %}{% endfor %}{% for item in items %}{{ loop.length }}{% include 'item' %}{% endfor %}</ul>\n"},
     "main": "t", "vars": {"items": ["a", "b"], "prefix": "- "}},
    {"name": "include_ignore_missing_and_without_context",
     "files": {"p": "[{{ x }}]", "t": "{% include 'nope' ignore missing %}{% include 'p' %}{% include 'p' without context %}{% include names %}"},
     "main": "t", "vars": {"x": 42, "names": ["missing1", "p"]}},
    {"name": "include_set_does_not_leak",
     "files": {"p": "{% set x = 'inner' %}{{ x }}", "t": "{% set x = 'outer' %}{% include 'p' %} {{ x }}"}, "main": "t"},
    # --- if / for / set ---------------------------------------------------------------------------
    {"name": "if_elif_else",
     "files": {"t": "{% for n in [0, 1, 2, 3, -1] %}{% if n == 0 %}zero{% elif n == 1 %}one{% elif n > 2 %}big{% else %}other{% endif %},{% endfor %}"},
     "main": "t"},
    {"name": "for_loop_variables",
     "files": {"t": "{% for x in xs %}{{ loop.index }}/{{ loop.index0 }}/{{ loop.revindex }}/{{ loop.revindex0 }}/{{ loop.first }}/{{ loop.last }}/{{ loop.length }}:{{ x }} {{ loop.cycle('odd', 'even') }} {{ loop.previtem }}>{{ loop.nextitem }}\n{% endfor %}"},
     "main": "t", "vars": {"xs": ["a", "b", "c"]}},
    {"name": "for_else_and_undefined",
     "files": {"t": "{% for x in [] %}{{ x }}{% else %}empty{% endfor %}|{% for x in nothing %}{{ x }}{% else %}none{% endfor %}|{% for x in [1,2,3,4] if x is even %}{{ x }}{{ loop.length }}{% endfor %}"},
     "main": "t"},
    {"name": "for_tuple_unpack_items",
     "files": {"t": "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}{% for (a, b) in pairs %}{{ a }}{{ b }}{% endfor %}{% for k in d %}{{ k }}{% endfor %}"},
     "main": "t", "vars": {"d": {"a": 1, "b": [1, 2], "c": None}, "pairs": [[1, 2], ["x", "y"]]}},
    {"name": "nested_loops_and_outer_loop",
     "files": {"t": "{% for row in rows %}{% set outer = loop %}{% for c in row %}{{ outer.index }}.{{ loop.index }}={{ c }} {% endfor %}\n{% endfor %}"},
     "main": "t", "vars": {"rows": [["a", "b"], ["c"]]}},
    {"name": "set_scoping",
     "files": {"t": "{% set x = 1 %}{% for i in [1] %}{% set x = 2 %}in:{{ x }}{% endfor %} out:{{ x }}{% if true %}{% set y = 3 %}{% endif %} y:{{ y }}{% set z %}block <b>{{ x }}</b>{% endset %} z:{{ z }}{% with a = 5, b = 6 %} with:{{ a + b }}{% endwith %} a:{{ a }}"},
     "main": "t"},
    {"name": "range_global",
     "files": {"t": "{% for i in range(3) %}{{ i }}{% endfor %}|{{ range(2, 10, 3) | list }}|{{ range(5, 0, -2) | join(',') }}"},
     "main": "t"},
    # --- expressions --------------------------------------------------------------------------------
    {"name": "literals_and_printing",
     "files": {"t": "{{ 1 }} {{ 1.0 }} {{ 0.5 }} {{ 1e20 }} {{ 1.5e-7 }} {{ 0.0001 }} {{ 1e16 }} {{ 123456789.125 }} {{ 0.1 + 0.2 }} {{ -0.0 }} {{ none }} {{ None }} {{ true }} {{ False }} {{ [1, 'a', none, 2.5, [true]] }} {{ {'a': 1, 'b': 'x'} }} {{ \"it's\" }} {{ ['it\\'s', \"q\\\"\", 'back\\\\slash', 'tab\\t'] }} {{ 1_000 }} {{ 0x1F }} {{ 10 / 4 }} {{ 3.0 * 2 }}"},
     "main": "t"},
    {"name": "context_value_printing",
     "files": {"t": "{{ f }}|{{ i }}|{{ big }}|{{ lst }}|{{ d }}|{{ m }}|{{ n }}|{{ b }}|{{ u }}"},
     "main": "t", "vars": {"f": {"$float": "2.0"}, "i": 7, "big": {"$float": "1e22"}, "lst": [{"$float": "0.1"}, "x", {"$markup": "<b>"}], "d": {"k": [1, 2]}, "m": {"$markup": "<i>ok</i>"}, "n": None, "b": True}},
    {"name": "string_escapes",
     "files": {"t": "{{ 'a\\nb' }}|{{ \"tab\\there\" }}|{{ 'uni\\u00e9\\x41' }}|{{ 'oct\\101' }}|{{ 'keep\\d' }}|{{ 'adj' 'acent' }}|{{ 'h\u00e9llo' }}"},
     "main": "t"},
    {"name": "arithmetic",
     "files": {"t": "{{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 7 % -3 }} {{ 2 ** 10 }} {{ 2 ** -1 }} {{ 7.5 // 2 }} {{ -7.5 % 2 }} {{ 1 + 2 * 3 - 4 }} {{ (1 + 2) * 3 }} {{ -3 + +2 }} {{ 'ab' * 3 }} {{ [1] * 2 }} {{ 'a' + 'b' }} {{ [1] + [2] }} {{ true + true }} {{ 10 / 5 }} {{ 2 ** 3 ** 2 }} {{ 1 ~ 2 ~ none ~ undefined_thing }}"},
     "main": "t"},
    {"name": "logic_and_comparisons",
     "files": {"t": "{{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ 1 == 1.0 }} {{ 'a' != 'b' }} {{ 'b' >= 'a' }} {{ [1, 2] < [1, 3] }} {{ 'x' in 'xyz' }} {{ 2 in [1, 2] }} {{ 'k' in {'k': 1} }} {{ 3 not in [1] }} {{ not true }} {{ not 0 and 1 }} {{ 0 or 'fallback' }} {{ '' or none }} {{ 1 and 2 }} {{ none is none }} {{ x is defined }} {{ x is not defined }} {{ y is defined }} {{ y is none }} {{ 4 is divisibleby 2 }} {{ 3 is odd }} {{ 'abc' is lower }} {{ 'a' is string }} {{ 1 is number }} {{ d is mapping }} {{ y is sameas none }}"},
     "main": "t", "vars": {"y": None, "d": {}}},
    {"name": "conditional_expressions",
     "files": {"t": "[{{ 'yes' if flag else 'no' }}][{{ 'shown' if flag }}][{{ 'hidden' if not flag }}][{{ a if a else b if b else 'c' }}][{{ (1 if false) is defined }}]"},
     "main": "t", "vars": {"flag": True, "a": "", "b": "bee"}},
    {"name": "attribute_and_subscript",
     "files": {"t": "{{ d.a }} {{ d['a'] }} {{ d.l[1] }} {{ d.l[-1] }} {{ d.l.0 }} {{ d.missing }}|{{ d.l[5] }}|{{ s[1] }} {{ s[1:3] }} {{ s[::-1] }} {{ d.l[1:] }} {{ d.l[:-1] }} {{ d.get('a') }} {{ d.get('zz', 'dflt') }} {{ d.keys() | list }} {{ d.values() | list }} {{ 'a,b'.split(',') }} {{ ' x '.strip() }} {{ 'abc'.upper() }} {{ 'abc'.startswith('ab') }}"},
     "main": "t", "vars": {"d": {"a": "A", "l": [10, 20, 30]}, "s": "hello"}},
    {"name": "undefined_behaviour",
     "files": {"t": "[{{ nope }}][{% if nope %}x{% else %}falsy{% endif %}][{% for i in nope %}{{ i }}{% endfor %}][{{ nope | default('dflt') }}][{{ nope | length }}][{{ nope is undefined }}][{{ nope == nope }}][{{ 'a' in nope }}]"},
     "main": "t"},
    {"name": "function_calls",
     "files": {"t": "{{ up('abc') }} {{ up(1) }} {{ 'x' | upper }}"}, "main": "t", "vars": {"up": {"$function": "upper"}}},
    # --- filters -------------------------------------------------------------------------------------
    {"name": "filters_escape_and_markup",
     "files": {"t": "{{ s | e }}|{{ s | e | e }}|{{ s | escape }}|{{ s | safe }}|{{ s | safe | e }}|{{ m | e }}|{{ m + s }}|{{ s + m }}|{{ m ~ s }}|{{ s | forceescape }}|{{ m | forceescape }}|{{ 5 | e }}|{{ none | e }}|{{ (m + s) | e }}|{{ m | upper }}|{{ (s | e) is escaped }}"},
     "main": "t", "vars": {"s": "<a href=\"x\">Tom & Jerry's</a>", "m": {"$markup": "<b>bold</b>"}}},
    {"name": "filter_indent",
     "files": {"t": "[{{ s | indent }}]\n[{{ s | indent(2) }}]\n[{{ s | indent(2, true) }}]\n[{{ s | indent(2, first=true, blank=true) }}]\n[{{ s | indent('> ') }}]\n[{{ s | indent(width=3, blank=true) }}]\n[{{ one | indent(4) }}]\n[{{ '' | indent }}]\n[{{ crlf | indent(2) }}]\n[{{ m | indent(2) }}]"},
     "main": "t", "vars": {"s": "line1\nline2\n\nline4\n", "one": "single", "crlf": "a\r\nb\rc", "m": {"$markup": "x\ny"}}},
    {"name": "filter_tojson",
     "files": {"t": "{{ d | tojson }}\n{{ s | tojson }}\n{{ l | tojson }}\n{{ d | tojson(indent=2) }}\n{{ n | tojson }} {{ f | tojson }} {{ [] | tojson(indent=2) }} {{ {} | tojson }}"},
     "main": "t", "vars": {"d": {"b": [1, 2, {"z": None, "a": True}], "a": "x<y>&'\"", "c": {"$float": "1.5"}}, "s": "caf\u00e9 \U0001F600 \n\t\\ </script>", "l": [1, "two", False], "n": None, "f": {"$float": "1e100"}}},
    {"name": "filter_default",
     "files": {"t": "{{ u | default('d1') }} {{ u | d('d2') }} {{ e | default('d3') }} {{ e | default('d4', true) }} {{ e | default('d5', boolean=true) }} {{ z | default(7, true) }} {{ v | default('unused') }} {{ u | default }}|"},
     "main": "t", "vars": {"e": "", "z": 0, "v": "value"}},
    {"name": "filter_strings",
     "files": {"t": "{{ s | upper }}|{{ s | lower }}|{{ s | title }}|{{ s | capitalize }}|{{ pad | trim }}|{{ 'xxhixx' | trim('x') }}|{{ s | replace('o', '0') }}|{{ s | replace('o', '0', 1) }}|{{ 'ab' | replace('', '-') }}|{{ s | length }}|{{ s | count }}|{{ 'hi' | center(8) }}|{{ 'hi' | center(7) }}|{{ s | first }}|{{ s | last }}|{{ s | reverse }}|{{ \"o'neil mc-donald (x)\" | title }}|{{ 42 | string }}|{{ 'é' | upper }}"},
     "main": "t", "vars": {"s": "hello wORLD foo", "pad": "  \t padded \n "}},
    {"name": "filter_sequences",
     "files": {"t": "{{ l | join }}|{{ l | join(', ') }}|{{ l | join(d=' - ') }}|{{ l | first }}|{{ l | last }}|{{ l | length }}|{{ l | list }}|{{ 'abc' | list }}|{{ l | reverse | list }}|{{ nums | sum }}|{{ people | join(', ', attribute='name') }}|{{ people | sum(attribute='age') }}|{{ d | list }}|{% for k, v in d | items %}{{ k }}{{ v }}{% endfor %}|{{ [] | first is defined }}|{{ d | length }}"},
     "main": "t", "vars": {"l": ["a", "b", "c"], "nums": [1, 2, {"$float": "3.5"}], "people": [{"age": 30, "name": "Ann"}, {"age": 5, "name": "Bob"}], "d": {"x": 1, "y": 2}}},
    {"name": "filter_numbers",
     "files": {"t": "{{ '42' | int }} {{ '42.9' | int }} {{ 'x' | int }} {{ 'x' | int(7) }} {{ 3.99 | int }} {{ -3.99 | int }} {{ '0x1A' | int(0, 16) }} {{ ' 12 ' | int }} {{ '1_000' | int }} {{ true | int }} {{ none | int }} {{ '3.5' | float }} {{ 'abc' | float }} {{ 2 | float }} {{ '1e3' | float }} {{ ' -2.5 ' | float }} {{ 2.5 | round }} {{ 3.5 | round }} {{ 2.675 | round(2) }} {{ 1.23456 | round(3) }} {{ 7 | round }} {{ 2.1 | round(0, 'ceil') }} {{ 2.9 | round(method='floor') }} {{ -5 | abs }} {{ -2.5 | abs }} {{ 1234.5 | round(-2) }} {{ 0.5 | round }} {{ -0.5 | round }} {{ '12' | int + 1 }}"},
     "main": "t"},
    {"name": "filter_chains_and_args",
     "files": {"t": "{{ name | default('anon') | upper | replace('A', '@') }}|{{ -3 | abs }}|{{ items | join(', ') | upper }}|{{ (items | length) * 2 }}|{{ items|length is even }}"},
     "main": "t", "vars": {"items": ["x", "y", "z"]}},
    # --- whitespace control, comments, raw ---------------------------------------------------------------
    {"name": "whitespace_control_default_env",
     "files": {"t": "<ul>\n  {%- for x in xs %}\n    <li>{{ x }}</li>\n  {%- endfor %}\n</ul>\n  {{- ' tight ' -}}  \n[ {#- comment -#} ]\n{% if true -%}\n   stripped after\n{%- endif %}\n{%+ if true %}plus{% endif +%}\n  end\n"},
     "main": "t", "vars": {"xs": [1, 2]}},
    {"name": "whitespace_trim_lstrip_env",
     "files": {"t": "<ul>\n  {% for x in xs %}\n    <li>{{ x }}</li>\n  {% endfor %}\n</ul>\n  {# indented comment #}\nafter comment\n    {%+ if true %}kept indent{% endif %}\n{% if true +%}\nkept newline\n{% endif %}\n  {{ 'var not lstripped' }}\ntext {% if true %}inline{% endif %} more\n\t{%- if true %}minus{% endif %}\n"},
     "main": "t", "options": {"trim_blocks": True, "lstrip_blocks": True}, "vars": {"xs": [1, 2]}},
    {"name": "trailing_newline_handling",
     "files": {"a": "one\n", "b": "two\n\n", "c": "three\r\nfour\rfive\n", "t": "{% include 'a' %}|{% include 'b' %}|{% include 'c' %}|"},
     "main": "t"},
    {"name": "comments",
     "files": {"t": "a{# simple #}b\n{# multi\nline {{ not parsed }} {% if %} #}c\n{#- strip -#}\n  d {#+ plus #} e"},
     "main": "t"},
    {"name": "raw_blocks",
     "files": {"t": "x {% raw %}{{ not_evaluated }} {% if %}{# c #}{% endraw %} y\n  {%- raw -%}\n  trimmed {{ raw }}\n  {%- endraw -%}\n  z"},
     "main": "t"},
    {"name": "raw_blocks_trim_lstrip",
     "files": {"t": "a\n  {% raw %}\n  {{ x }}\n  {% endraw %}\nb\n"},
     "main": "t", "options": {"trim_blocks": True, "lstrip_blocks": True}},
    # --- macros & imports ----------------------------------------------------------------------------------
    {"name": "macros_defaults_kwargs",
     "files": {"t": "{% macro field(name, value='', type='text') -%}\n<input type=\"{{ type }}\" name=\"{{ name }}\" value=\"{{ value | e }}\">\n{%- endmacro %}\n{{ field('user') }}\n{{ field('pw', type='password') }}\n{{ field('q', 'a<b') }}\n{{ field(name='kw') }}"},
     "main": "t"},
    {"name": "import_and_from_import",
     "files": {"m": "{% macro hello(who) %}Hello {{ who }}!{% endmacro %}{% set version = '1.0' %}{% macro _private() %}{% endmacro %}",
               "t": "{% import 'm' as lib %}{% from 'm' import hello as hi, version %}{{ lib.hello('A') }} {{ hi('B') }} {{ version }} {{ lib.version }}"},
     "main": "t"},
    {"name": "macro_closure_and_recursion",
     "files": {"t": "{% macro tree(node) %}{{ node.name }}{% if node.children %}({% for c in node.children %}{{ tree(c) }}{% if not loop.last %},{% endif %}{% endfor %}){% endif %}{% endmacro %}{{ tree(root) }}"},
     "main": "t", "vars": {"root": {"children": [{"children": [], "name": "b"}, {"children": [{"children": [], "name": "d"}], "name": "c"}], "name": "a"}}},
]

CASES += [
    {"name": "float_repr_edges",
     "files": {"t": "{{ 1e-05 }} {{ 5e-324 }} {{ 1.7976931348623157e308 }} {{ 100.0 }} {{ 1e15 }} {{ 12345678901234567890.0 }} {{ 0.000123 }} {{ 2.5e-5 }} {{ 1/3 }} {{ 2/3 }} {{ 1e22 }} {{ 9007199254740993.0 }} {{ -1.5 }} {{ [0.1, -2.0] }}"},
     "main": "t"},
    {"name": "repr_quoting",
     "files": {"t": "{{ [\"a'b\", 'a\"b', \"a'b\\\"c\", '\\x00\\x7f', '\\u2028', 'caf\\u00e9', '\\U0001F600', '\\\\'] }}"},
     "main": "t"},
    {"name": "braces_in_strings_and_dicts",
     "files": {"t": "{{ '}}' }}|{{ '{{' ~ '%}' }}|{{ {'a': {'b': 1}} }}|{{ {'a': {'b': 1}}['a']['b'] }}|{% if '%}' %}ok{% endif %}"},
     "main": "t"},
    {"name": "block_in_loop_after_extends_outputs",
     "files": {"base": "[{% block x %}base{% endblock %}]", "child": "{% extends 'base' %}{% for i in [1] %}{% block x %}X{% endblock %}{% endfor %}"},
     "main": "child"},
    {"name": "scoped_block_super",
     "files": {"base": "{% for item in items %}{% block row scoped %}<{{ item }}>{% endblock %}{% endfor %}",
               "child": "{% extends 'base' %}{% block row %}[{{ super() }}{{ item | upper }}]{% endblock %}"},
     "main": "child", "vars": {"items": ["a", "b"]}},
    {"name": "include_template_that_extends",
     "files": {"base": "B({% block x %}{% endblock %})", "inc": "{% extends 'base' %}{% block x %}inc {{ v }}{% endblock %}", "t": "<{% include 'inc' %}>"},
     "main": "t", "vars": {"v": 1}},
    {"name": "lstrip_edge_cases",
     "files": {"t": "  {% if true %}a{% endif %}\n  x {% if true %}b{% endif %}\n\t  {%- if true %}c{% endif %}\n    {# c #}\n  {{ 'v' }}  {% if true %}d{% endif %}\n{% for i in [1,2] -%}\n  {{ i }}\n{%- endfor %}\n   {% raw %}r{% endraw %}\n"},
     "main": "t", "options": {"trim_blocks": True, "lstrip_blocks": True}},
    {"name": "lstrip_only_and_trim_only",
     "files": {"a": "  {% if true %}\n  a\n  {% endif %}\n", "t": "{% include 'a' %}|"},
     "main": "t", "options": {"lstrip_blocks": True}},
    {"name": "trim_only",
     "files": {"t": "x\n{% if true %}\n  a\n{% endif %}\n{# c #}\ny {{ 'v' }}\nz"},
     "main": "t", "options": {"trim_blocks": True}},
    {"name": "keep_trailing_newline",
     "files": {"t": "a\n\n"}, "main": "t", "options": {"keep_trailing_newline": True}},
    {"name": "whitespace_minus_everywhere",
     "files": {"t": "a   {{- 1 -}}   b  {%- if true -%}  c  {%- endif -%}  d\n\n  {#- x -#}\n\n e {{- '' }}\n\n{{- 'f' }}"},
     "main": "t"},
    {"name": "unicode_strings",
     "files": {"t": "{{ s | length }} {{ s | upper }} {{ s | title }} {{ s[0] }} {{ s | reverse }} {{ 'é' < 'z' }} {{ s | tojson }} {{ 'straße' | upper }} {{ s | center(12) }}"},
     "main": "t", "vars": {"s": "héllo wörld"}},
    {"name": "precedence",
     "files": {"t": "{{ 'a' ~ 'b' if true else 'c' }}|{{ (1 + 2) ~ 3 * 2 }}|{{ not 1 == 2 }}|{{ -2 ** 2 }}|{{ (-2) ** 2 }}|{{ 2 * 3 | string }}|{{ 1 if 0 else 2 if 0 else 3 }}|{{ true and false or 'x' }}|{{ 'abc'[1:] | upper }}|{{ not x is defined }}|{{ [1, 2, 3][1:][0] }}"},
     "main": "t"},
    {"name": "markup_values_from_context",
     "files": {"t": "{{ m }}|{{ m | e }}|{{ m | length }}|{{ m ~ '!' }}|{{ m | replace('b', 'i') }}|{{ m | safe }}|{{ m == '<b>x</b>' }}|{% if m %}truthy{% endif %}|{{ [m] }}"},
     "main": "t", "vars": {"m": {"$markup": "<b>x</b>"}}},
    {"name": "set_block_and_macro_in_child",
     "files": {"base": "{% block content %}{% endblock %}",
               "child": "{% extends 'base' %}{% macro b(x) %}<b>{{ x }}</b>{% endmacro %}{% set title %}T{{ 1 + 1 }}{% endset %}{% block content %}{{ b(title) }}{% endblock %}"},
     "main": "child"},
    {"name": "bokeh_like_plot_script_indent",
     "files": {"t": "<body>\n  {{ plot_script | indent(4) }}\n  {{ plot_div | indent(2, true) }}\n</body>"},
     "main": "t", "vars": {"plot_script": PLOT_SCRIPT, "plot_div": '<div id="a"></div>\n<div id="b"></div>'}},
    {"name": "loop_over_string_and_dict_values",
     "files": {"t": "{% for c in 'abc' %}{{ c }}{{ loop.index }}{% endfor %}|{% for v in d.values() %}{{ v }}{% endfor %}|{% for k, v in d.items() if v > 1 %}{{ k }}{% endfor %}"},
     "main": "t", "vars": {"d": {"a": 1, "b": 2, "c": 3}}},
    {"name": "macro_varied_call_forms",
     "files": {"t": "{% macro m(a, b=a ~ '!', c=none) %}{{ a }}|{{ b }}|{{ c }}{% endmacro %}{{ m(1) }} {{ m(1, 2) }} {{ m(1, c=3) }} {{ m(b='x', a='y') }} {{ m() }}"},
     "main": "t"},
]
