"""The TopstepX (ProjectX Gateway) personality of the simulator.

Follows shared/venues/topstepx-projectx.md.  Present so far: the SignalR hub protocol
(:mod:`.hub`), the server side the user and market hubs run on.
"""
