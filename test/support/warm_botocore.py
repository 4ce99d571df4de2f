"""botocore's data files, read once by the warm Python server: AWS_MODULES in warm-python.ts imports this last.

Every `aws` call parses the same JSON files of the installed botocore and awscli (endpoints.json alone is over a
megabyte) and lists the services they know by walking their data directories (6,000 stat calls). Installed package data
does not change while the server runs, so the server reads those here, before it forks: 30 `aws ecr
describe-repositories` against moto took 0.35 CPU-s each, now 0.21 (three runs each, side by side). A child takes each
preloaded file's parsed data at most once, so what it does with the data stays its own, exactly as when it parses the
file itself; other files, and a second load, are read from disk as usual. Service models are not preloaded: each call
needs one or two, and every megabyte the server holds makes each fork dearer (with the seven services' models the
rehearsals call, a call cost more than with none).
"""
import os

from botocore import loaders

# The installed packages' data directories.
_STATIC_DIRS = tuple(os.path.realpath(os.path.join(os.path.dirname(os.path.dirname(loaders.__file__)), package, 'data'))
                     for package in ('botocore', 'awscli'))

# What every call loads (awscli's command table loads SimpleDB's model), as data-directory paths without '.json'.
_PRELOADED = ['endpoints', 'partitions', 'sdk-default-configuration', '_retry', 'cli', 'sdb/2009-04-15/service-2']

_load_file = loaders.JSONFileLoader.load_file
# Loader's own method, inside its per-instance cache.
_list_available_services = loaders.Loader.list_available_services

_parsed = {}
_services = {}


def _static(locations):
    return all(os.path.realpath(location) in _STATIC_DIRS for location in locations)


def load_file(self, file_path):
    if file_path not in _parsed:
        return _load_file(self, file_path)
    data = _parsed[file_path]
    # None (no such file) can be shared; parsed data goes to its first taker only.
    if data is not None:
        del _parsed[file_path]
    return data


def list_available_services(self, type_name):
    locations = tuple(self._potential_locations())
    if not _static(locations):
        return _list_available_services(self, type_name)
    key = (locations, type_name)
    if key not in _services:
        _services[key] = tuple(_list_available_services(self, type_name))
    return list(_services[key])


def _preload():
    reader = loaders.JSONFileLoader()
    for data_dir in _STATIC_DIRS:
        for path in _PRELOADED:
            _parsed[os.path.join(data_dir, path)] = _load_file(reader, os.path.join(data_dir, path))
    # As a session creates its loader: awscli's import put its data directory in AWS_DATA_PATH.
    loader = loaders.create_loader(os.environ.get('AWS_DATA_PATH'))
    for type_name in ('service-2', 'paginators-1', 'waiters-2'):
        list_available_services(loader, type_name)


loaders.JSONFileLoader.load_file = load_file
loaders.Loader.list_available_services = list_available_services
_preload()
