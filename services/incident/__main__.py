from dutyline.grpckit.server import run
from services.incident.server import build
from services.incident.settings import IncidentSettings

run("incident", build, IncidentSettings())
