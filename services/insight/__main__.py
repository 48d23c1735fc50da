from dutyline.grpckit.server import run
from services.insight.server import build
from services.insight.settings import InsightSettings

run("insight", build, InsightSettings())
