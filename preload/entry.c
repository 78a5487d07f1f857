/* placeholder: being written */ typedef int mp_placeholder_t;
