from dutyline.grpckit.server import run
from services.roster.server import build
from services.roster.settings import RosterSettings

run("roster", build, RosterSettings())
