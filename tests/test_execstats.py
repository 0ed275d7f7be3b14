"""d2lutil.execstats: the kernel's peak memory, glued for the book's execution status page."""
import numpy as np
import pytest

from d2lutil.execstats import GLUE_KEY, peak_rss_mb, record_peak_memory


def test_peak_rss_grows_with_what_the_process_touches():
    before = peak_rss_mb()
    block = np.ones(300 * 10**6 // 8)  # 300 MB, written, so resident
    after = peak_rss_mb()
    assert block.sum() == block.size
    assert before > 10 and after >= before
    assert after > 300, f"peak {after:.0f} MB after touching 300 MB"


def test_nothing_is_recorded_outside_a_kernel(capsys):
    assert record_peak_memory() is None
    assert capsys.readouterr().out == ""


def test_a_kernel_glues_its_peak_memory_for_the_status_page(kernel_cell):
    outputs = kernel_cell("peak_memory").outputs
    glued = [o for o in outputs if o.get("metadata", {}).get("scrapbook", {}).get("name") == GLUE_KEY]
    assert len(glued) == 1, outputs
    value = float(glued[0]["data"]["application/papermill.record/text/plain"])
    printed = float(next(o["text"] for o in outputs if o["output_type"] == "stream"))
    assert value == pytest.approx(printed) and 20 < value < 5000
