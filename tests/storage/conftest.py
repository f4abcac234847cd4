"""``backend`` runs each contract test once per backend in ``backends.BACKENDS``; ``storage`` is an
open ``Storage`` of it with the test's names registered by the test itself."""
import pytest

from tests.storage.backends import BACKENDS


@pytest.fixture(params=sorted(BACKENDS))
def backend(request, tmp_path):
    made = BACKENDS[request.param](tmp_path)
    yield made
    made.close()


@pytest.fixture
def storage(backend):
    return backend.open()
