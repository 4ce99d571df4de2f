#!/usr/bin/env sh
# projen's `bump` asks this before it looks at the commits. The first release is 0.1.0, the start of the 0.x line (projen
# would otherwise publish 0.0.0); every later release is decided by its conventional commits, so this prints nothing.
if [ -z "$(git tag --list 'v*')" ]; then echo minor; fi
