import ArgumentParser
import Certificates
print("hi")
