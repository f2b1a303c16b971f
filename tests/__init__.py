"""The test suite; its folders mirror the package (ext, oms, venues/<venue>, transport, sim, build, cli)."""
