"""Runs a program in the warm Python server (warm-python-server.py) as `python3 SCRIPT ARGS...` or `python3 -c CODE
ARGS...` would: the same arguments, environment, directory and standard streams; exits with the program's status.

Usage: python3 -I -S warm-python-client.py SOCKET (SCRIPT | -c CODE) [ARG...]
"""
import json
import os
import socket
import sys


def main():
    path, rest = sys.argv[1], sys.argv[2:]
    if rest[:1] == ['-c']:
        request = {'code': rest[1], 'argv': ['-c'] + rest[2:]}
    else:
        request = {'path': rest[0], 'argv': rest}
    request.update(env=dict(os.environ), cwd=os.getcwd())
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.connect(path)
    data = (json.dumps(request) + '\n').encode()
    socket.send_fds(conn, [data[:1 << 16]], [0, 1, 2])
    if len(data) > 1 << 16:
        conn.sendall(data[1 << 16:])
    reply = b''
    while not reply.endswith(b'\n'):
        chunk = conn.recv(64)
        if not chunk:
            sys.stderr.write('warm python: the program ended without an exit status (killed?)\n')
            sys.exit(1)
        reply += chunk
    sys.exit(int(reply))


main()
