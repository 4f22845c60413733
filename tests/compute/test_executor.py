import pytest

from jhops.compute import LocalExecutor, make_executor, thread_budget


def test_thread_budget_splits_the_cores_between_workers():
    assert thread_budget(2, cores=8)["TF_NUM_INTRAOP_THREADS"] == "4"
    assert thread_budget(4, cores=2)["OMP_NUM_THREADS"] == "1"


def test_make_executor_names():
    assert isinstance(make_executor("local", 2), LocalExecutor)
    with pytest.raises(ValueError, match="Unknown executor 'gpu-farm'"):
        make_executor("gpu-farm", 2)
