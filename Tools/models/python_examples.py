"""The ModelsInterop example documents built with Python's own `bokeh.plotting`, for comparison."""

from bokeh.document import Document
from bokeh.layouts import column, row, gridplot
from bokeh.models import (Button, ColumnDataSource, Div, Select, Slider, TabPanel, Tabs, Toggle)
from bokeh.plotting import figure


def doc(title, root):
    d = Document(title=title)
    d.add_root(root)
    return d.to_json(deferred=False)


def bars():
    fruits = ["Apples", "Pears", "Nectarines", "Plums"]
    source = ColumnDataSource(data=dict(fruits=fruits, counts=[5.0, 3, 4, 2]))
    p = figure(title="Fruit counts", height=250, x_range=fruits)
    p.vbar(x="fruits", top="counts", source=source, width=0.9, color="#718dbf")
    lines = figure(title="lines", width=400, height=250, x_axis_label="t", y_axis_label="v")
    series = ColumnDataSource(data=dict(t=[0.0, 1, 2, 3, 4], v=[0.0, 1, 4, 9, 16], w=[1.0, 2, 3, 4, 5]))
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
    source = ColumnDataSource(data=dict(x=[1.0, 2, 3], y=[3.0, 1, 2]))
    plot.rect(x="x", y="y", width=0.5, height=0.5, source=source, color="olive")
    tabs = Tabs(tabs=[TabPanel(title="plot", child=row(plot, status)),
                      TabPanel(title="controls", child=column(slider, button, select, toggle))])
    return doc("Widgets", tabs)


def grid():
    source = ColumnDataSource(data=dict(x=[1.0, 2, 3, 4], y=[2.0, 3, 1, 4], l=[0.0, 1, 2, 3], r=[0.5, 1.5, 2.5, 3.5]))
    a = figure(title="quad", width=250, height=250)
    a.quad(left="l", right="r", top="y", bottom=0, source=source, color="green")
    b = figure(title="points", width=250, height=250, x_range=(0, 5))
    b.scatter(x="x", y="y", source=source, size=12, marker="triangle", color="orange", alpha=0.6)
    return doc("Grid", gridplot([[a, b], [None, None]]))


def shapes():
    import numpy as np
    image = ColumnDataSource(data=dict(image=[np.arange(9, dtype=float).reshape(3, 3)]))
    plot = figure(title="shapes", width=400, height=400, x_range=(0, 10), y_range=(0, 10))
    plot.image(image="image", x=0, y=0, dw=4, dh=4, source=image, palette=["#440154", "#21918c", "#fde725"])
    polygons = ColumnDataSource(data=dict(xs=[[5, 7, 6], [8, 9, 9, 8]], ys=[[5, 5, 7], [1, 1, 3, 3]]))
    plot.patches(xs="xs", ys="ys", source=polygons, color="purple", alpha=0.5)
    plot.multi_line(xs="xs", ys="ys", source=polygons, color="black")
    labels = ColumnDataSource(data=dict(x=[6.0], y=[8.0], label=["hello"]))
    plot.text(x="x", y="y", text="label", source=labels, color="navy")
    return doc("Shapes", plot)


def scatter():
    source = ColumnDataSource(data=dict(x=[1.0, 2.0, 3.0], y=[4.0, 5.0, 6.0]))
    plot = figure(title="scatter", width=300, height=200)
    plot.scatter("x", "y", source=source, size=10, color="navy")
    return doc("Scatter", plot)


def glyphs():
    source = ColumnDataSource(data=dict(x=[1.0, 2, 3, 4], y=[2.0, 3, 1, 4], y2=[0.0, 0.5, 0.2, 1.0]))
    p = figure(title="glyphs", width=400, height=300)
    p.varea(x="x", y1="y2", y2="y", source=source, color="lightblue", alpha=0.4, legend_label="area")
    p.step(x="x", y="y", source=source, mode="center", color="black", legend_label="step")
    p.circle(x="x", y="y", radius=0.1, source=source, color="red", legend_label="points")
    p.segment(x0="x", y0="y2", x1="x", y1="y", source=source, color="gray", legend_label="points")
    p.wedge(x=2.5, y=3.5, radius=0.3, start_angle=0, end_angle=2.0, source=source, color="orange")
    return doc("Glyphs", p)


EXAMPLES = {"scatter": scatter, "bars": bars, "widgets": widgets, "grid": grid, "shapes": shapes, "glyphs": glyphs}
