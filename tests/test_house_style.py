"""The house style sets seaborn's theme without importing seaborn (nor scipy with it)."""

import subprocess
import sys

import matplotlib as mpl

from workbench.plotting import charts


def _perturbed() -> None:
    """A kernel's rcParams differ from matplotlib's defaults before the style is applied."""
    mpl.rcParams.update({"figure.facecolor": "red", "font.size": 3.0, "axes.grid": False, "xtick.bottom": True, "lines.linewidth": 9.0})


def test_house_style_equals_seaborn_theme_then_house_settings():
    import seaborn as sns

    with mpl.rc_context():
        _perturbed()
        charts.use_house_style()
        ours = dict(mpl.rcParams)
    with mpl.rc_context():
        _perturbed()
        sns.set_theme(context="notebook", style="whitegrid", palette=charts.PALETTE)
        mpl.rcParams.update(charts.HOUSE_RC)
        theirs = dict(mpl.rcParams)
    assert {k for k in ours if ours[k] != theirs[k]} == {"image.cmap"}  # seaborn's own colormap, named by no chart
    assert set(charts.SEABORN_THEME) | {"image.cmap"} == set(sns.axes_style("whitegrid")) | set(sns.plotting_context("notebook"))


def test_house_style_imports_neither_seaborn_nor_scipy():
    code = "import sys\nfrom workbench import plotting\nplotting.use_house_style()\nprint(sorted(m for m in ('seaborn', 'scipy') if m in sys.modules))"
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert res.stdout.strip() == "[]"
