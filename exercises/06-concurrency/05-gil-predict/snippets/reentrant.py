# A thread that holds a lock asks for it again, without waiting. Does it get it?
import threading

lock = threading.Lock()
rlock = threading.RLock()

lock.acquire()
rlock.acquire()
print(lock.acquire(blocking=False), rlock.acquire(blocking=False))
