"""Sphinx configuration for pyperi's documentation."""
import os
import sys

sys.path.insert(0, os.path.abspath('..'))

from pyperi import __version__  # noqa: E402

project = 'pyperi'
author = 'pyperi developers'
copyright = '2016-2026, pyperi developers'
version = release = __version__

extensions = [
    'sphinx.ext.autodoc',
    'sphinx.ext.doctest',
    'sphinx.ext.intersphinx',
    'sphinx.ext.viewcode',
]
exclude_patterns = ['_build']
html_theme = 'alabaster'
autodoc_member_order = 'bysource'
autodoc_typehints = 'description'
intersphinx_mapping = {}
nitpicky = False

# Every example in these pages runs against the embedded fake Periscope: the
# environment variables make a plain ``Peri()`` talk to it, as a user's own
# configuration would.
doctest_global_setup = '''
import os as _os
from pyperi.testing import FakePeriscope as _FakePeriscope
_fake = _FakePeriscope().start()
_os.environ['PYPERI_API_BASE_URL'] = _fake.api_base_url
_os.environ['PYPERI_WEB_BASE_URL'] = _fake.web_base_url
'''
doctest_global_cleanup = '''
_fake.stop()
_os.environ.pop('PYPERI_API_BASE_URL', None)
_os.environ.pop('PYPERI_WEB_BASE_URL', None)
'''
