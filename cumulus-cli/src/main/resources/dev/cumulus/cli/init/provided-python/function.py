"""The function: answers {"name": "Ada"} with {"greeting": "Hello, Ada!"}."""
import os

GREETING = os.environ.get("GREETING", "Hello")  # cumulus.yaml's env sets it


def handler(event, context):
    name = (event or {}).get("name", "world")
    print("greeting", name, flush=True)  # `cumulus logs {{name}}` shows it
    return {"greeting": "%s, %s!" % (GREETING, name)}
