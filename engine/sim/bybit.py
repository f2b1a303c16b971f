ROUTES={}
async def serve(*a): pass
def expire_due(sim): pass
async def rest_handler(*a): pass
