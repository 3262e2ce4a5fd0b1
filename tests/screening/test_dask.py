"""The same pipeline on a real Dask cluster (two worker processes) gives identical results."""

import pytest

from harborlight.screening import screen

distributed = pytest.importorskip("distributed")


@pytest.mark.slow
def test_it_gives_identical_results_on_a_dask_local_cluster(small_ads, key, tmp_path):
    local = screen(small_ads[:300], key=key, batch_size=50)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        remote = screen(small_ads[:300], key=key, batch_size=50,
                        dask_address=cluster.scheduler_address)
    assert remote.to_dict() == local.to_dict()
    local_files = local.write(tmp_path / "local")
    remote_files = remote.write(tmp_path / "dask")
    for mine, theirs in zip(local_files, remote_files):
        assert mine.read_bytes() == theirs.read_bytes(), mine.name
