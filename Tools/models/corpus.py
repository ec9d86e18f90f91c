"""The plotting corpus, Python side: each case builds a document with Bokeh 3.10.2's own `bokeh.plotting`.

`Tools/ModelsInterop/Corpus.swift` builds the same documents with DocumentModel's plotting API, one
function per case of the same name; `check_models.py` requires their canonical forms (`canonical.py`) to be
equal. Numeric columns are float64 arrays on both sides (a Swift `[Double]` column is one).
"""

import numpy as np
import yaml

from bokeh.core.enums import MarkerType
from bokeh.document import Document
from bokeh.layouts import column, gridplot, row
from bokeh.models import (BooleanFilter, Button, CDSView, ColumnDataSource, DataTable, Div, GroupFilter,
                          IndexFilter, LinearAxis, Range1d, Select, Slider, TableColumn, TabPanel, Tabs, Toggle)
from bokeh.models import TextInput
from bokeh.plotting import figure
from bokeh.themes import Theme
from bokeh.transform import factor_cmap, linear_cmap


def f(*values):
    return np.array(values, dtype=float)


def doc(title, root, theme=None):
    d = Document(title=title)
    d.add_root(root)
    if theme is not None:
        d.theme = theme
    return d.to_json(deferred=False)


def xy():
    return ColumnDataSource(data=dict(x=f(1, 2, 3, 4, 5), y=f(6, 7, 2, 4, 5)))


# The first six: the documents ModelsInterop has always written.

def scatter():
    source = ColumnDataSource(data=dict(x=f(1, 2, 3), y=f(4, 5, 6)))
    plot = figure(title="scatter", width=300, height=200)
    plot.scatter("x", "y", source=source, size=10, color="navy")
    return doc("Scatter", plot)


def bars():
    fruits = ["Apples", "Pears", "Nectarines", "Plums"]
    source = ColumnDataSource(data=dict(fruits=fruits, counts=f(5, 3, 4, 2)))
    p = figure(title="Fruit counts", height=250, x_range=fruits)
    p.vbar(x="fruits", top="counts", source=source, width=0.9, color="#718dbf")
    lines = figure(title="lines", width=400, height=250, x_axis_label="t", y_axis_label="v")
    series = ColumnDataSource(data=dict(t=f(0, 1, 2, 3, 4), v=f(0, 1, 4, 9, 16), w=f(1, 2, 3, 4, 5)))
    lines.line(x="t", y="v", source=series, line_width=2, color="firebrick")
    lines.hbar(y="t", right="w", source=series, height=0.5, color=(30, 120, 180), alpha=0.5)
    return doc("Bars", column(p, lines))


def widgets():
    slider = Slider(name="slider", title="n", start=0, end=10, value=3, step=1)
    button = Button(name="button", label="Click")
    status = Div(name="status", text="ready")
    select = Select(title="Color", options=["red", "green"], value="red")
    toggle = Toggle(label="toggle", active=True)
    plot = figure(width=300, height=300)
    source = ColumnDataSource(data=dict(x=f(1, 2, 3), y=f(3, 1, 2)))
    plot.rect(x="x", y="y", width=0.5, height=0.5, source=source, color="olive")
    tabs = Tabs(tabs=[TabPanel(title="plot", child=row(plot, status)),
                      TabPanel(title="controls", child=column(slider, button, select, toggle))])
    return doc("Widgets", tabs)


def grid():
    source = ColumnDataSource(data=dict(x=f(1, 2, 3, 4), y=f(2, 3, 1, 4), l=f(0, 1, 2, 3), r=f(0.5, 1.5, 2.5, 3.5)))
    a = figure(title="quad", width=250, height=250)
    a.quad(left="l", right="r", top="y", bottom=0, source=source, color="green")
    b = figure(title="points", width=250, height=250, x_range=(0, 5))
    b.scatter(x="x", y="y", source=source, size=12, marker="triangle", color="orange", alpha=0.6)
    return doc("Grid", gridplot([[a, b], [None, None]]))


def shapes():
    image = ColumnDataSource(data=dict(image=[np.arange(9, dtype=float).reshape(3, 3)]))
    plot = figure(title="shapes", width=400, height=400, x_range=(0, 10), y_range=(0, 10))
    plot.image(image="image", x=0, y=0, dw=4, dh=4, source=image, palette=["#440154", "#21918c", "#fde725"])
    polygons = ColumnDataSource(data=dict(xs=[[5, 7, 6], [8, 9, 9, 8]], ys=[[5, 5, 7], [1, 1, 3, 3]]))
    plot.patches(xs="xs", ys="ys", source=polygons, color="purple", alpha=0.5)
    plot.multi_line(xs="xs", ys="ys", source=polygons, color="black")
    labels = ColumnDataSource(data=dict(x=f(6), y=f(8), label=["hello"]))
    plot.text(x="x", y="y", text="label", source=labels, color="navy")
    return doc("Shapes", plot)


def glyphs():
    source = ColumnDataSource(data=dict(x=f(1, 2, 3, 4), y=f(2, 3, 1, 4), y2=f(0, 0.5, 0.2, 1.0)))
    p = figure(title="glyphs", width=400, height=300)
    p.varea(x="x", y1="y2", y2="y", source=source, color="lightblue", alpha=0.4, legend_label="area")
    p.step(x="x", y="y", source=source, mode="center", color="black", legend_label="step")
    p.circle(x="x", y="y", radius=0.1, source=source, color="red", legend_label="points")
    p.segment(x0="x", y0="y2", x1="x", y1="y", source=source, color="gray", legend_label="points")
    p.wedge(x=2.5, y=3.5, radius=0.3, start_angle=0, end_angle=2.0, source=source, color="orange")
    return doc("Glyphs", p)


# Defaults: what a call without visual arguments draws.

def line_default():
    p = figure()
    p.line(x="x", y="y", source=xy())
    return doc("line default", p)


def line_visuals():
    p = figure(width=500, height=300)
    p.line(x="x", y="y", source=xy(), line_width=3, line_alpha=0.6, line_dash="dashed", line_cap="round")
    return doc("line visuals", p)


def scatter_default():
    p = figure()
    p.scatter(x="x", y="y", source=xy())
    return doc("scatter default", p)


def scatter_markers():
    p = figure(width=600, height=600)
    source = xy()
    for marker in MarkerType:
        p.scatter(x="x", y="y", source=source, marker=marker, size=8)
    return doc("markers", p)


def scatter_alpha_variants():
    p = figure()
    p.scatter(x="x", y="y", source=xy(), size=12, alpha=0.5, fill_color="red", line_color="black",
              nonselection_alpha=0.3, muted_color="gray", selection_fill_color="orange", hover_fill_color="pink")
    return doc("variants", p)


def color_column():
    source = ColumnDataSource(data=dict(x=f(1, 2, 3), y=f(1, 2, 3), color=["red", "green", "blue"]))
    p = figure()
    p.scatter(x="x", y="y", source=source, color="color", size=15)
    return doc("color column", p)


def vbar_factors():
    fruits = ["Apples", "Pears", "Nectarines"]
    source = ColumnDataSource(data=dict(fruits=fruits, counts=f(5, 3, 4)))
    p = figure(x_range=fruits, height=300, title="counts", toolbar_location=None, tools="")
    p.vbar(x="fruits", top="counts", width=0.9, source=source)
    return doc("vbar factors", p)


def hbar_factors():
    fruits = ["Apples", "Pears", "Nectarines"]
    source = ColumnDataSource(data=dict(fruits=fruits, counts=f(5, 3, 4)))
    p = figure(y_range=fruits, width=400)
    p.hbar(y="fruits", right="counts", height=0.5, left=1, source=source, fill_alpha=0.7)
    return doc("hbar factors", p)


def vbar_stack():
    fruits = ["Apples", "Pears"]
    source = ColumnDataSource(data=dict(fruits=fruits, y2015=f(2, 1), y2016=f(5, 3)))
    p = figure(x_range=fruits, height=250)
    p.vbar_stack(["y2015", "y2016"], x="fruits", width=0.9, color=["#c9d9d3", "#718dbf"], source=source,
                 legend_label=["2015", "2016"])
    return doc("vbar stack", p)


def quad_hist():
    source = ColumnDataSource(data=dict(top=f(3, 5, 2), left=f(0, 1, 2), right=f(1, 2, 3)))
    p = figure()
    p.quad(top="top", bottom=0, left="left", right="right", source=source, fill_color="navy", line_color="white",
           alpha=0.5)
    return doc("histogram", p)


def rect_glyph():
    p = figure()
    p.rect(x="x", y="y", width=0.5, height=0.2, angle=0.3, source=xy(), fill_color="#cab2d6")
    return doc("rect", p)


def image_rgba():
    img = np.array([[0xFF0000FF, 0xFF00FF00], [0xFFFF0000, 0xFFFFFFFF]], dtype=np.uint32)
    source = ColumnDataSource(data=dict(image=[img]))
    p = figure(x_range=(0, 10), y_range=(0, 10))
    p.image_rgba(image="image", x=0, y=0, dw=10, dh=10, source=source)
    return doc("image rgba", p)


def patches_glyph():
    source = ColumnDataSource(data=dict(xs=[[1, 2, 3], [4, 5, 6, 5]], ys=[[1, 3, 1], [1, 2, 1, 0]]))
    p = figure()
    p.patches(xs="xs", ys="ys", source=source, fill_color="green", line_color="black", line_width=2)
    return doc("patches", p)


def multi_line_glyph():
    source = ColumnDataSource(data=dict(xs=[[1, 2, 3], [2, 3, 4]], ys=[[6, 7, 2], [4, 5, 7]]))
    p = figure()
    p.multi_line(xs="xs", ys="ys", source=source, line_width=4, color="firebrick")
    return doc("multi line", p)


def wedges():
    p = figure(x_range=(-1, 1), y_range=(-1, 1))
    source = ColumnDataSource(data=dict(start=f(0, 2), end=f(2, 6.28), color=["red", "blue"]))
    p.wedge(x=0, y=0, radius=0.8, start_angle="start", end_angle="end", color="color", source=source,
            line_color="white")
    p.annular_wedge(x=0, y=0, inner_radius=0.2, outer_radius=0.4, start_angle=0.4, end_angle=4.1,
                    color="green", alpha=0.6, source=source)
    return doc("wedges", p)


def text_glyph():
    source = ColumnDataSource(data=dict(x=f(1, 2), y=f(1, 2), t=["one", "two"]))
    p = figure()
    p.text(x="x", y="y", text="t", source=source, text_font_size="14px", text_align="center", angle=0.2,
           text_color="navy")
    return doc("text", p)


def segment_ray():
    p = figure()
    source = xy()
    p.segment(x0="x", y0="y", x1=3, y1=3, source=source, line_width=2)
    p.ray(x="x", y="y", length=0, angle=1.0, source=source, color="#fb8072", line_width=2)
    return doc("segment and ray", p)


def areas():
    source = ColumnDataSource(data=dict(x=f(1, 2, 3), y1=f(1, 2, 1), y2=f(3, 4, 2)))
    p = figure()
    p.varea(x="x", y1="y1", y2="y2", source=source, fill_color="gray", hatch_pattern="/")
    p.harea(y="x", x1="y1", x2="y2", source=source, fill_alpha=0.3)
    return doc("areas", p)


def steps():
    p = figure()
    source = xy()
    for mode, color in [("before", "red"), ("center", "green"), ("after", "blue")]:
        p.step(x="x", y="y", source=source, mode=mode, color=color, line_width=2)
    return doc("steps", p)


def circles():
    p = figure(match_aspect=True)
    p.circle(x="x", y="y", radius=0.3, source=xy(), fill_color="yellow", line_color="black")
    return doc("circles", p)


def hex_tiles():
    source = ColumnDataSource(data=dict(q=f(0, 1, 2), r=f(0, 0, 1), c=["red", "green", "blue"]))
    p = figure(match_aspect=True)
    p.hex_tile(q="q", r="r", size=1, fill_color="c", line_color=None, source=source)
    return doc("hex tiles", p)


# Figures: axes, ranges, tools.

def datetime_axis():
    p = figure(x_axis_type="datetime", height=200)
    p.line(x="x", y="y", source=xy())
    return doc("datetime", p)


def log_axis():
    p = figure(y_axis_type="log", x_range=(0.1, 10), y_range=(0.1, 1000))
    p.line(x="x", y="y", source=xy(), color="red")
    return doc("log", p)


def hidden_axes():
    p = figure(x_axis_type=None, y_axis_type=None, toolbar_location=None)
    p.scatter(x="x", y="y", source=xy())
    return doc("no axes", p)


def axis_locations():
    p = figure(x_axis_location="above", y_axis_location="right", x_axis_label="x", y_axis_label="y")
    p.line(x="x", y="y", source=xy())
    return doc("axis locations", p)


def minor_ticks():
    p = figure(x_minor_ticks=2, y_axis_type="log", y_minor_ticks=4)
    p.line(x="x", y="y", source=xy())
    return doc("minor ticks", p)


def tools_string():
    p = figure(tools="xpan,xwheel_zoom,reset", toolbar_location="above")
    p.line(x="x", y="y", source=xy())
    return doc("tools", p)


def tools_every_alias():
    p = figure(tools="pan,ypan,ywheel_pan,zoom_in,zoom_out,tap,crosshair,box_select,lasso_select,poly_select,"
                     "box_zoom,ybox_zoom,save,copy,undo,redo,reset,help,examine,fullscreen,hover")
    p.line(x="x", y="y", source=xy())
    return doc("tool aliases", p)


def tooltips():
    p = figure(tooltips=[("x", "@x"), ("y", "@y{0.00}")])
    p.scatter(x="x", y="y", source=xy(), size=10)
    return doc("tooltips", p)


def ranges():
    p = figure(x_range=(0, 10), y_range=Range1d(start=-1, end=10))
    p.line(x="x", y="y", source=xy())
    return doc("ranges", p)


def twin_axes():
    p = figure(y_range=(0, 10))
    p.extra_y_ranges = {"foo": Range1d(start=0, end=100)}
    source = xy()
    p.scatter(x="x", y="y", source=source, color="red")
    p.line(x="x", y="y", source=source, y_range_name="foo", color="blue")
    p.add_layout(LinearAxis(y_range_name="foo", axis_label="foo"), "right")
    return doc("twin axes", p)


# Annotations, mappers, views, widgets, layouts.

def interactive_legend():
    p = figure()
    source = xy()
    p.line(x="x", y="y", source=source, legend_label="line", color="navy")
    p.scatter(x="x", y="y", source=source, legend_label="points", color="orange", size=8)
    p.legend.click_policy = "hide"
    p.legend.location = "top_left"
    return doc("legend", p)


def linear_mapper():
    source = ColumnDataSource(data=dict(x=f(1, 2, 3, 4), y=f(1, 2, 3, 4), v=f(0, 5, 10, 20)))
    p = figure()
    p.scatter(x="x", y="y", source=source, size=20, color=linear_cmap("v", "Viridis256", 0, 20))
    return doc("linear cmap", p)


def factor_mapper():
    fruits = ["Apples", "Pears", "Plums"]
    source = ColumnDataSource(data=dict(fruits=fruits, counts=f(5, 3, 4)))
    p = figure(x_range=fruits)
    p.vbar(x="fruits", top="counts", width=0.9, source=source,
           fill_color=factor_cmap("fruits", palette=["red", "green", "blue"], factors=fruits))
    return doc("factor cmap", p)


def views():
    source = ColumnDataSource(data=dict(x=f(1, 2, 3, 4), y=f(4, 3, 2, 1), kind=["a", "b", "a", "b"]))
    p = figure()
    p.scatter(x="x", y="y", source=source, view=CDSView(filter=GroupFilter(column_name="kind", group="a")))
    p.scatter(x="x", y="y", source=source, view=CDSView(filter=IndexFilter(indices=[0, 2])), color="red")
    p.scatter(x="x", y="y", source=source, view=CDSView(filter=BooleanFilter(booleans=[True, False, True, False])))
    return doc("views", p)


def data_table():
    source = ColumnDataSource(data=dict(name=["a", "b"], value=f(1, 2)))
    table = DataTable(source=source, columns=[TableColumn(field="name", title="Name"),
                                              TableColumn(field="value", title="Value")], width=300, height=200)
    return doc("table", table)


def tabs_layout():
    a = figure(width=200, height=200)
    a.line(x="x", y="y", source=xy())
    b = figure(width=200, height=200)
    b.scatter(x="x", y="y", source=xy())
    return doc("tabs", Tabs(tabs=[TabPanel(title="line", child=a), TabPanel(title="points", child=b)]))


def gridplot_merged():
    plots = []
    for color in ["red", "green", "blue", "black"]:
        p = figure()
        p.scatter(x="x", y="y", source=xy(), color=color)
        plots.append(p)
    return doc("gridplot", gridplot(plots, ncols=2, width=250, height=250, toolbar_location="right"))


def sizing_modes():
    p = figure(sizing_mode="stretch_width", height=250)
    p.line(x="x", y="y", source=xy())
    q = figure(sizing_mode="scale_width")
    q.scatter(x="x", y="y", source=xy())
    slider = Slider(start=0, end=1, value=0.5, step=0.1, title="s")
    return doc("sizing", column(row(slider, p, sizing_mode="stretch_width"), q, sizing_mode="stretch_both"))


# Themes: the built-in ones by name, and theme files (YAML read by PyYAML here, by our reader in Swift).

def themed_plot():
    p = figure(title="themed", width=300, height=300, x_axis_label="x", y_axis_label="y")
    p.line(x="x", y="y", source=xy())
    p.scatter(x="x", y="y", source=xy(), size=8)
    p.vbar(x="x", top="y", width=0.5, source=xy())
    labels = ColumnDataSource(data=dict(x=f(1, 2), y=f(3, 4), t=["a", "b"]))
    p.text(x="x", y="y", text="t", source=labels)
    return column(p, Slider(start=0, end=1, value=0.5, title="s"))


def theme_caliber():
    return doc("caliber", themed_plot(), theme="caliber")


def theme_dark_minimal():
    return doc("dark", themed_plot(), theme="dark_minimal")


def theme_light_minimal():
    return doc("light", themed_plot(), theme="light_minimal")


def theme_night_sky():
    return doc("night", themed_plot(), theme="night_sky")


def theme_contrast():
    return doc("contrast", themed_plot(), theme="contrast")


def theme_carbon():
    return doc("carbon", themed_plot(), theme="carbon")


THEME_YAML = """\
# A theme file in the forms Bokeh's theme.yaml files use.
attrs:
    Plot:
        background_fill_color: '#2F2F2F'
        border_fill_color: "#2F2F2F"
        outline_line_color: '#444444'
        min_border_top: 0
    Axis:
        axis_line_color: !!null
        major_label_text_font_size: 10pt   # a comment
    Grid:
        grid_line_dash: [6, 4]
        grid_line_alpha: .3
    Title:
        text_color: white
        align: center
line_defaults:
    line_width: 2
fill_defaults:
    fill_alpha: 0.5
"""


def theme_yaml_file():
    return doc("yaml theme", themed_plot(), theme=Theme(json=yaml.safe_load(THEME_YAML)))


def theme_json():
    theme = Theme(json={"attrs": {"Plot": {"width": 500, "toolbar_location": None},
                                  "Slider": {"bar_color": "red"}, "figure": {"height": 200}}})
    return doc("json theme", themed_plot(), theme=theme)


# Two of Bokeh's gallery server apps, their documents as first served.

def sliders_app():
    n = 200
    x = np.linspace(0, 4 * np.pi, n)
    source = ColumnDataSource(data=dict(x=x, y=np.sin(x)))
    plot = figure(height=400, width=400, title="my sine wave", tools="crosshair,pan,reset,save,wheel_zoom",
                  x_range=[0, 4 * np.pi], y_range=[-2.5, 2.5])
    plot.line("x", "y", source=source, line_width=3, line_alpha=0.6)
    text = TextInput(title="title", value="my sine wave")
    offset = Slider(title="offset", value=0.0, start=-5.0, end=5.0, step=0.1)
    amplitude = Slider(title="amplitude", value=1.0, start=-5.0, end=5.0, step=0.1)
    phase = Slider(title="phase", value=0.0, start=0.0, end=2 * np.pi)
    freq = Slider(title="frequency", value=1.0, start=0.1, end=5.1, step=0.1)
    return doc("Sliders", row(column(text, offset, amplitude, phase, freq), plot, width=800))


OHLC_THEME = """\
attrs:
  Plot:
    background_fill_color: "#eeeeee"
    width: 1200
    toolbar_location: "left"
    min_border_bottom: 0
    min_border_top: 0
"""


def ohlc_app():
    ma12, ma26, ema12, ema26 = "12-tick Moving Avg", "26-tick Moving Avg", "12-tick EMA", "26-tick EMA"
    source = ColumnDataSource(dict(time=[], average=[], low=[], high=[], open=[], close=[], ma=[], macd=[],
                                   macd9=[], macdh=[], color=[]))
    p = figure(height=500, tools="xpan,xwheel_zoom,xbox_zoom,reset", x_axis_type=None, y_axis_location="right")
    p.x_range.follow = "end"
    p.x_range.follow_interval = 100
    p.x_range.range_padding = 0
    p.line(x="time", y="average", alpha=0.2, line_width=3, color="navy", source=source)
    p.line(x="time", y="ma", alpha=0.8, line_width=2, color="orange", source=source)
    p.segment(x0="time", y0="low", x1="time", y1="high", line_width=2, color="black", source=source)
    p.segment(x0="time", y0="open", x1="time", y1="close", line_width=8, color="color", source=source)
    p2 = figure(height=250, x_range=p.x_range, tools="xpan,xwheel_zoom,xbox_zoom,reset", y_axis_location="right")
    p2.line(x="time", y="macd", color="red", source=source)
    p2.line(x="time", y="macd9", color="blue", source=source)
    p2.segment(x0="time", y0=0, x1="time", y1="macdh", line_width=6, color="black", alpha=0.5, source=source)
    mean = Slider(title="mean", value=0, start=-0.01, end=0.01, step=0.001)
    stddev = Slider(title="stddev", value=0.04, start=0.01, end=0.1, step=0.01)
    mavg = Select(value=ma12, options=[ma12, ma26, ema12, ema26])
    root = column(row(mean, stddev, mavg), gridplot([[p], [p2]], toolbar_location="left", width=1000))
    return doc("OHLC", root, theme=Theme(json=yaml.safe_load(OHLC_THEME)))


CASES = {name: function for name, function in list(globals().items())
         if callable(function) and function.__module__ == __name__ and name not in ("f", "doc", "xy", "themed_plot")}
