"""Bad input: exceptions of the tumorscope.Error family naming the file, skipped files
listed (and warned about), the GIL released during work, Ctrl-C honoured."""

import _thread
import signal
import threading
import time
import warnings
import zipfile

import pytest

import tumorscope as ts


def test_a_missing_path_is_a_scan_error():
    with pytest.raises(ts.ScanError, match="nowhere"):
        ts.scan("/nowhere/at/all")
    assert issubclass(ts.LoadError, ts.Error)


def test_a_corrupt_file_is_skipped_and_named(cohort, tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "broken.dcm").write_bytes(b"\0" * 128 + b"DICM" + b"\x02\x00\x10\x00UI\xff\x7f")
    ds = ts.scan(bad)
    assert ds.patients == [] or all(p.series for p in ds.patients)
    assert any("broken.dcm" in origin for origin, _ in ds.skipped), ds.skipped


def test_loading_files_that_vanished_is_a_load_error(cohort, tmp_path):
    folder = tmp_path / "p"
    src = cohort / "3Dircadb1.1"
    folder.mkdir()
    for name in ("PATIENT_DICOM.zip", "MASKS_DICOM.zip"):
        (folder / name).write_bytes((src / name).read_bytes())
    ds = ts.scan(folder)
    (folder / "PATIENT_DICOM.zip").unlink()
    with pytest.raises(ts.LoadError, match="PATIENT_DICOM.zip"):
        ds.patients[0].load()


def test_skipped_exams_are_reported_through_warnings(cohort, tmp_path):
    folder = tmp_path / "two"
    for label in ("3Dircadb1.1", "3Dircadb1.2"):
        (folder / label).mkdir(parents=True)
        for name in ("PATIENT_DICOM.zip", "MASKS_DICOM.zip"):
            (folder / label / name).write_bytes((cohort / label / name).read_bytes())
    ds = ts.scan(folder)
    # One patient's CT is replaced by an empty archive after the scan: its analysis fails.
    with zipfile.ZipFile(folder / "3Dircadb1.2" / "PATIENT_DICOM.zip", "w"):
        pass
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = ds.analyze()
    assert len(res.patients) == 1
    assert any("3Dircadb1.2" in origin for origin, _ in res.skipped)
    assert any("3Dircadb1.2" in str(w.message) for w in caught)


def test_the_gil_is_released_while_working(cohort):
    ticks = []
    done = threading.Event()

    def count():
        while not done.is_set():
            ticks.append(1)
            time.sleep(0.001)

    t = threading.Thread(target=count)
    t.start()
    try:
        started = time.perf_counter()
        ts.scan(cohort).analyze()
        elapsed = time.perf_counter() - started
    finally:
        done.set()
        t.join()
    # A held GIL would have frozen the counter for the whole call.
    assert len(ticks) > 0.2 * elapsed / 0.001 * 0.1, (len(ticks), elapsed)


def test_ctrl_c_stops_a_long_call(real_patient):
    # One long native call: the real patient measured with its thumbnails (warm: the
    # shortest of three runs, so the interrupted run cannot be faster than the estimate).
    ds = ts.scan(real_patient)
    full = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        ds.analyze(thumbnails=True)
        full = min(full, time.perf_counter() - started)
    assert full > 0.06, f"the call this checks must be long: {full:.3f} s"
    # Ctrl-C as a terminal delivers it; a parent that ignores SIGINT (a shell's background
    # job) would make interrupt_main do nothing, so Python's own handler is installed.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    timer = threading.Timer(full / 5, _thread.interrupt_main)
    started = time.perf_counter()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            ds.analyze(thumbnails=True)
        elapsed = time.perf_counter() - started
    finally:
        timer.cancel()
        signal.signal(signal.SIGINT, previous)
    # It returned within the 20 ms signal check after the interrupt, well before the end of
    # the work.
    assert elapsed < min(full / 5 + 0.045, 0.8 * full), (elapsed, full)
