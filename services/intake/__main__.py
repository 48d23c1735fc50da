from dutyline.grpckit.server import run
from services.intake.server import build
from services.intake.settings import IntakeSettings

run("intake", build, IntakeSettings())
