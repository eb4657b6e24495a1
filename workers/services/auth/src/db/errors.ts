export { isUniqueViolation } from '../../../../lib/db-errors.ts';
