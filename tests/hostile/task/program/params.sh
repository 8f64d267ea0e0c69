# EVOLVE-BLOCK-START
MODE=ok  # @knob choices=ok,fork_bomb,infinite_loop,sleep_forever,memory_hog,daemonize,output_flood,disk_fill,network,env_key,parent_environ,controller_files,home_files,write_outside,tamper_trusted,kill_controller,raise_rlimits,deep_path_fill,unreadable_dir_fill,inode_flood,userns,tmp_write,cpus,mountinfo
# EVOLVE-BLOCK-END
HOSTILE_PORT=1
HOSTILE_MARKER=1
HOSTILE_MEMORY=536870912
