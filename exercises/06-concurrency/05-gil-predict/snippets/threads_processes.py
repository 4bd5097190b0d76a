# Four threads, then four processes, each run the same CPU-bound function once. Each call
# records the id of the process it ran in. What does the parent process see afterwards?
import multiprocessing
import os
import threading

ran_in: list[int] = []


def crunch() -> None:
    sum(i * i for i in range(50_000))
    ran_in.append(os.getpid())


if __name__ == "__main__":
    threads = [threading.Thread(target=crunch) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    processes = [multiprocessing.Process(target=crunch) for _ in range(4)]
    for process in processes:
        process.start()
    for process in processes:
        process.join()

    print(len(ran_in), len(set(ran_in)))
