//! Checked rows on their way to a staging table, gathered column by column
//! and appended to DuckDB a chunk at a time as Arrow record batches: one call
//! per 2,048 rows instead of one per cell, and no allocation per cell.

use std::sync::Arc;

use duckdb::Connection;
use duckdb::arrow::array::{
    ArrayRef, BooleanBuilder, Date32Builder, Float64Builder, Int32Builder, Int64Builder,
    StringBuilder, TimestampMicrosecondBuilder,
};
use duckdb::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use duckdb::arrow::record_batch::RecordBatch;
use duckdb::types::Value;

use crate::IngestError;

/// The columns of one staging table, read from DuckDB's catalog so that they
/// always follow `queries/ingest/stage.sql`.
#[derive(Clone)]
pub(crate) struct StageSchema {
    table: String,
    schema: SchemaRef,
}

impl StageSchema {
    /// The columns of TEMP table `table`, in order.
    pub(crate) fn of(conn: &Connection, table: &str) -> Result<Self, IngestError> {
        let mut stmt = conn.prepare(
            "SELECT column_name, data_type FROM duckdb_columns()
             WHERE database_name = 'temp' AND table_name = $1 ORDER BY column_index",
        )?;
        let columns: Vec<(String, String)> = stmt
            .query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let fields = columns
            .iter()
            .map(|(name, ty)| {
                let data_type = match ty.as_str() {
                    "BIGINT" => DataType::Int64,
                    "INTEGER" => DataType::Int32,
                    "DOUBLE" => DataType::Float64,
                    "BOOLEAN" => DataType::Boolean,
                    "VARCHAR" => DataType::Utf8,
                    "TIMESTAMP" => DataType::Timestamp(TimeUnit::Microsecond, None),
                    "DATE" => DataType::Date32,
                    other => {
                        return Err(IngestError::Internal(format!(
                            "staging column {table}.{name} has type {other}, which the stage writer does not know"
                        )));
                    }
                };
                Ok(Field::new(name, data_type, true))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(StageSchema {
            table: table.to_string(),
            schema: Arc::new(Schema::new(fields)),
        })
    }
}

enum Builder {
    BigInt(Int64Builder),
    Int(Int32Builder),
    Double(Float64Builder),
    Bool(BooleanBuilder),
    Text(StringBuilder),
    Timestamp(TimestampMicrosecondBuilder),
    Date(Date32Builder),
}

/// Rows gathered for one staging table.
pub(crate) struct StageBatch {
    schema: StageSchema,
    builders: Vec<Builder>,
    rows: usize,
}

impl StageBatch {
    /// An empty batch for `schema`.
    pub(crate) fn new(schema: &StageSchema) -> Self {
        let builders = schema
            .schema
            .fields()
            .iter()
            .map(|f| match f.data_type() {
                DataType::Int64 => Builder::BigInt(Int64Builder::new()),
                DataType::Int32 => Builder::Int(Int32Builder::new()),
                DataType::Float64 => Builder::Double(Float64Builder::new()),
                DataType::Boolean => Builder::Bool(BooleanBuilder::new()),
                DataType::Timestamp(..) => Builder::Timestamp(TimestampMicrosecondBuilder::new()),
                DataType::Date32 => Builder::Date(Date32Builder::new()),
                _ => Builder::Text(StringBuilder::new()),
            })
            .collect();
        StageBatch {
            schema: schema.clone(),
            builders,
            rows: 0,
        }
    }

    /// Rows gathered so far.
    pub(crate) fn len(&self) -> usize {
        self.rows
    }

    /// Adds one row, its values in the table's column order.
    pub(crate) fn push(&mut self, values: &[Value]) -> Result<(), IngestError> {
        if values.len() != self.builders.len() {
            return Err(IngestError::Internal(format!(
                "{} values for the {} columns of {}",
                values.len(),
                self.builders.len(),
                self.schema.table
            )));
        }
        // Each value is looked at where it lies, not moved out of the row:
        // moving it through a (builder, value) pair cost a copy per cell.
        for (i, (builder, value)) in self.builders.iter_mut().zip(values).enumerate() {
            match (builder, value) {
                (Builder::BigInt(b), Value::Null) => b.append_null(),
                (Builder::Int(b), Value::Null) => b.append_null(),
                (Builder::Double(b), Value::Null) => b.append_null(),
                (Builder::Bool(b), Value::Null) => b.append_null(),
                (Builder::Text(b), Value::Null) => b.append_null(),
                (Builder::Timestamp(b), Value::Null) => b.append_null(),
                (Builder::Date(b), Value::Null) => b.append_null(),
                (Builder::BigInt(b), Value::BigInt(v)) => b.append_value(*v),
                (Builder::Int(b), Value::Int(v)) => b.append_value(*v),
                (Builder::Double(b), Value::Double(v)) => b.append_value(*v),
                (Builder::Bool(b), Value::Boolean(v)) => b.append_value(*v),
                (Builder::Text(b), Value::Text(v)) => b.append_value(v),
                (Builder::Timestamp(b), Value::Timestamp(_, v)) => b.append_value(*v),
                (Builder::Date(b), Value::Date32(v)) => b.append_value(*v),
                (_, value) => {
                    return Err(IngestError::Internal(format!(
                        "value {value:?} does not fit column {}.{}",
                        self.schema.table,
                        self.schema.schema.field(i).name()
                    )));
                }
            }
        }
        self.rows += 1;
        Ok(())
    }

    /// The rows gathered so far as a record batch; the batch starts empty again.
    pub(crate) fn take(&mut self) -> Result<RecordBatch, IngestError> {
        let arrays: Vec<ArrayRef> = self
            .builders
            .iter_mut()
            .map(|b| -> ArrayRef {
                match b {
                    Builder::BigInt(b) => Arc::new(b.finish()),
                    Builder::Int(b) => Arc::new(b.finish()),
                    Builder::Double(b) => Arc::new(b.finish()),
                    Builder::Bool(b) => Arc::new(b.finish()),
                    Builder::Text(b) => Arc::new(b.finish()),
                    Builder::Timestamp(b) => Arc::new(b.finish()),
                    Builder::Date(b) => Arc::new(b.finish()),
                }
            })
            .collect();
        self.rows = 0;
        RecordBatch::try_new(self.schema.schema.clone(), arrays)
            .map_err(|e| IngestError::Internal(format!("{}: {e}", self.schema.table)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use duckdb::types::TimeUnit as DuckUnit;

    #[test]
    fn rows_reach_the_stage_table_with_their_types_and_nulls() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TEMP TABLE s (a BIGINT, b VARCHAR, c TIMESTAMP, d BOOLEAN, e DOUBLE, f INTEGER, g DATE)",
        )
        .unwrap();
        let schema = StageSchema::of(&conn, "s").unwrap();
        let mut batch = StageBatch::new(&schema);
        batch
            .push(&[
                Value::BigInt(7),
                Value::Text("Toko [Berkah] #1".into()),
                Value::Timestamp(DuckUnit::Microsecond, 1_625_097_600_000_000),
                Value::Boolean(true),
                Value::Double(1.5),
                Value::Int(3),
                Value::Date32(18_809),
            ])
            .unwrap();
        batch.push(&vec![Value::Null; 7]).unwrap();
        assert_eq!(batch.len(), 2);
        let err = batch.push(&vec![Value::Text("x".into()); 7]).unwrap_err();
        assert!(err.to_string().contains("s.a"), "{err}");
        let mut app = conn
            .appender_to_catalog_and_db("s", "temp", "main")
            .unwrap();
        app.append_record_batch(batch.take().unwrap()).unwrap();
        app.flush().unwrap();
        drop(app);
        let row: (i64, String, String, bool, f64, i32, String, i64) = conn
            .query_row(
                "SELECT a, b, c::VARCHAR, d, e, f, g::VARCHAR, (SELECT count(*) FROM s WHERE a IS NULL AND b IS NULL AND g IS NULL) FROM s WHERE a = 7",
                [],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                        r.get(7)?,
                    ))
                },
            )
            .unwrap();
        assert_eq!(
            row,
            (
                7,
                "Toko [Berkah] #1".into(),
                "2021-07-01 00:00:00".into(),
                true,
                1.5,
                3,
                "2021-07-01".into(),
                1
            )
        );
        assert_eq!(batch.len(), 0, "take empties the batch");
    }
}
