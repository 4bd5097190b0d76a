# A process pool sends the function to its workers by pickling it. Which of these survive?
import pickle


def length(blob: bytes) -> int:
    return len(blob)


outcomes = []
for fn in (length, lambda blob: len(blob)):
    try:
        pickle.dumps(fn)
        outcomes.append("ok")
    except Exception as error:
        outcomes.append(type(error).__name__)
print(" ".join(outcomes))
