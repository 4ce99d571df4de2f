"""A Python that has already imported the AWS CLI and boto3, forked for each program a test runs.

Every `aws` call in a rehearsal used to start Python and import awscli and botocore anew: 0.8 CPU-seconds, nearly
all of it imports. This server imports them once; warm-python-client.py hands it a program to run (a script path, or
`-c CODE`), its arguments, its environment, working directory and standard streams (the file descriptors themselves,
over a Unix socket), and the server forks a child that runs the program as `python SCRIPT ARGS...` would and reports
its exit status. The program is the real one (the AWS CLI's own `aws` script): only the import time is saved.

Usage: python3 warm-python-server.py SOCKET MODULE...   (prints "ready" once listening)
"""
import array
import gc
import json
import os
import runpy
import signal
import socket
import sys
import time
import traceback

MAX_FDS = 3
MAX_REQUEST = 1 << 22


def receive(conn):
    """The request and the client's three standard streams, as sent by warm-python-client.py."""
    fds = array.array('i')
    chunks = []
    while True:
        data, ancdata, _flags, _addr = conn.recvmsg(1 << 16, socket.CMSG_SPACE(MAX_FDS * fds.itemsize))
        for level, kind, payload in ancdata:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.frombytes(payload[: len(payload) - (len(payload) % fds.itemsize)])
        if not data:
            break
        chunks.append(data)
        if data.endswith(b'\n') or sum(map(len, chunks)) > MAX_REQUEST:
            break
    return json.loads(b''.join(chunks)), list(fds)


def run(request):
    """Runs the program as the interpreter would run it as __main__; returns its exit status."""
    sys.argv = request['argv']
    try:
        if 'code' in request:
            sys.path[0] = ''
            exec(compile(request['code'], '<string>', 'exec'), {'__name__': '__main__', '__builtins__': __builtins__})
        else:
            sys.path[0] = os.path.dirname(os.path.abspath(request['path']))
            runpy.run_path(request['path'], run_name='__main__')
        return 0
    except SystemExit as e:
        if e.code is None:
            return 0
        if isinstance(e.code, int):
            return e.code
        print(e.code, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BaseException:
        traceback.print_exc()
        return 1


def child(conn, listener, request, fds, started_with, set_by_imports):
    listener.close()
    # As in a fresh process: default signal handling, the client's streams, directory and environment.
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request['cwd'])
    os.environ.clear()
    os.environ.update(request['env'])
    # What the preloaded modules set at import (awscli adds its data directory to AWS_DATA_PATH), as a fresh import
    # would set it. A variable they also read, or one the interpreter reads as it starts (PYTHON*), cannot be honoured.
    python_vars = {k for k in {**request['env'], **started_with} if k.startswith('PYTHON')}
    clash = sorted({k for k in request['env'] if k in set_by_imports} | {k for k in python_vars if request['env'].get(k) != started_with.get(k)})
    os.environ.update(set_by_imports)
    time.tzset()
    if clash:
        print(f'warm python: {", ".join(clash)} differs from the server\'s, and is read at start or import; start it with the same', file=sys.stderr)
        status = 1
    else:
        status = run(request)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    try:
        conn.sendall(f'{status & 0xff}\n'.encode())
    finally:
        os._exit(status & 0xff)


def reap(_signum, _frame):
    try:
        while os.waitpid(-1, os.WNOHANG)[0] != 0:
            pass
    except ChildProcessError:
        pass


def main():
    path, modules = sys.argv[1], sys.argv[2:]
    before = dict(os.environ)
    for module in modules:
        __import__(module)
    set_by_imports = {k: v for k, v in os.environ.items() if before.get(k) != v}
    # The imported objects out of the collector's reach: a collection in a child would touch, and so copy, every page.
    gc.collect()
    gc.freeze()
    # Each child reports its own status to its client; reaping them here keeps their CPU time in this process's
    # accounts (the kernel would discard it under SIG_IGN).
    signal.signal(signal.SIGCHLD, reap)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    print('ready', flush=True)
    while True:
        conn, _ = listener.accept()
        try:
            request, fds = receive(conn)
        except Exception:
            conn.close()
            continue
        if len(fds) != MAX_FDS:
            for fd in fds:
                os.close(fd)
            conn.close()
            continue
        if os.fork() == 0:
            child(conn, listener, request, fds, before, set_by_imports)
        for fd in fds:
            os.close(fd)
        conn.close()


if __name__ == '__main__':
    main()
