import { pageLoad } from '../../behaviors/page-load'
/** 数据维护: the admin subpackage's entry, one list of what an admin maintains. */
Component({ behaviors: [pageLoad], methods: {} })
