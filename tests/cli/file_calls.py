#!/usr/bin/env python3
"""file_calls.py FOLDER - the calls between the .c files of one folder.

For each file, the functions defined (not static) in the folder's other
files that it names. Prints "a.c -> b.c: f, g" per pair, then "circle:
a.c b.c ..." for every set of files that call each other round in a circle
(of any length), and exits 1 when there is one.
"""
import glob
import os
import re
import sys


def strip(src):
    src = re.sub(r'/\*.*?\*/', ' ', src, flags=re.S)
    src = re.sub(r'//[^\n]*', ' ', src)
    return re.sub(r'"(\\.|[^"\\\n])*"', '""', src)


def main(folder):
    srcs = {os.path.basename(f): strip(open(f).read())
            for f in sorted(glob.glob(os.path.join(folder, '*.c')))}
    home = {}
    for name, src in srcs.items():
        for m in re.finditer(r'^(?!static\b)[A-Za-z_][\w \t\*]*?\b(\w+)\s*\([^;{]*?\)\s*\{',
                             src, flags=re.M):
            home[m.group(1)] = name
    calls = {}
    for name, src in srcs.items():
        for fn, where in home.items():
            if where != name and re.search(r'\b%s\b' % fn, src):
                calls.setdefault((name, where), []).append(fn)
    graph = {}
    for (a, b), fns in sorted(calls.items()):
        print('%s -> %s: %s' % (a, b, ', '.join(sorted(fns))))
        graph.setdefault(a, set()).add(b)

    # strongly connected components (Tarjan): any with two files is a circle
    index, low, stack, on, circles = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                circles.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    for c in circles:
        print('circle: ' + ' '.join(c))
    return 1 if circles else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
