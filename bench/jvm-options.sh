# bench/jvm-options.sh - the JVM flags Portcullis ships with, for the scripts that start the jars
# outside a container (bench/candidate.sh, bench/profile.sh, bench/memory.sh; run-local.sh has its
# own copy, so the quick start needs nothing from bench/).
#
# The image flags are JDK_JAVA_OPTIONS of Dockerfile.dataplane / Dockerfile.operator (and the
# chart's jvmOptions defaults; DockerfilesTest keeps all of them equal). They size the heap as a
# share of the container's memory limit; outside a container that share would be of the whole
# machine, so -XX:MaxRAM first stands in for the chart's default limits (dataplane 1Gi, operator
# 512Mi). bench/README.md, "Memory", says how they were chosen.
PORTCULLIS_DATAPLANE_IMAGE_JVM_OPTIONS="-XX:MaxRAMPercentage=40.0 -XX:InitialRAMPercentage=8.0 -XX:NewRatio=1 -XX:+UseSerialGC -XX:TrimNativeHeapInterval=5000 -Dio.netty.allocator.maxOrder=7 -Dio.netty.allocator.maxCachedBufferCapacity=65536 -XX:+ExitOnOutOfMemoryError -XX:+PerfDisableSharedMem -Djava.io.tmpdir=/tmp"
PORTCULLIS_OPERATOR_IMAGE_JVM_OPTIONS="-XX:MaxRAMPercentage=75.0 -XX:InitialRAMPercentage=5.0 -XX:+UseSerialGC -XX:TrimNativeHeapInterval=5000 -XX:+ExitOnOutOfMemoryError -XX:+PerfDisableSharedMem -Djava.io.tmpdir=/tmp"
PORTCULLIS_DATAPLANE_JVM_OPTIONS="-XX:MaxRAM=1g $PORTCULLIS_DATAPLANE_IMAGE_JVM_OPTIONS"
PORTCULLIS_OPERATOR_JVM_OPTIONS="-XX:MaxRAM=512m $PORTCULLIS_OPERATOR_IMAGE_JVM_OPTIONS"
