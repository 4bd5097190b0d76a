# A thread and a forked child process each run `record` once. What does the parent see?
import multiprocessing
import threading

hits: list[str] = []


def record() -> None:
    hits.append("hit")


thread = threading.Thread(target=record)
thread.start()
thread.join()

child = multiprocessing.get_context("fork").Process(target=record)
child.start()
child.join()

print(len(hits))
