# Ports that drop connection attempts, for the conformance harness: `hang PORT` binds 127.0.0.1:PORT with a backlog
# of 0, fills it with one connection and never accepts, so the kernel drops every further SYN and a client's connect
# stays pending; `free PORT` closes it all. One line in, one `ok PORT` (or `error PORT …`) out.
import select
import socket
import sys

ports = {}

for line in sys.stdin:
    words = line.split()
    if len(words) != 2:
        continue
    command, port = words[0], int(words[1])
    try:
        if command == 'hang':
            listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(('127.0.0.1', port))
            listener.listen(0)
            filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            filler.setblocking(False)
            filler.connect_ex(('127.0.0.1', port))
            select.select([], [filler], [], 2.0)
            ports[port] = (listener, filler)
        elif command == 'free':
            listener, filler = ports.pop(port)
            filler.close()
            listener.close()
        print('ok', port, flush=True)
    except Exception as error:  # reported to the harness, which fails the run
        print('error', port, str(error).replace('\n', ' '), flush=True)
